// Type references shared by the type modules, which refer to each other (a model's versions,
// a version's model). Each module implements its own.
import type { RegistryEventRow } from '../../events/event-hub.js';
import type { ModelVersionRecord, RegisteredModelRecord, StageTransitionRecord } from '../../registry/types.js';
import { builder } from '../builder.js';

export const RegisteredModelRef = builder.objectRef<RegisteredModelRecord>('RegisteredModel');
export const ModelVersionRef = builder.objectRef<ModelVersionRecord>('ModelVersion');
export const StageTransitionRef = builder.objectRef<StageTransitionRecord>('StageTransition');
export const RegistryEventRef = builder.objectRef<RegistryEventRow>('RegistryEvent');
