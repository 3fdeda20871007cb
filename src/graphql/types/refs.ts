// Type references shared by the type modules, which refer to each other (a model's versions,
// a version's model). Each module implements its own.
import type { ModelWithRelated } from '../../db/queries/registered-models.js';
import type { RegistryEventRow } from '../../events/event-hub.js';
import type { ModelVersionRecord, StageTransitionRecord } from '../../registry/types.js';
import { builder } from '../builder.js';

/** A model record, with its tags, aliases or latest versions when the lookup brought them along. */
export const RegisteredModelRef = builder.objectRef<ModelWithRelated>('RegisteredModel');
export const ModelVersionRef = builder.objectRef<ModelVersionRecord>('ModelVersion');
export const StageTransitionRef = builder.objectRef<StageTransitionRecord>('StageTransition');
export const RegistryEventRef = builder.objectRef<RegistryEventRow>('RegistryEvent');
