// Assembles the GraphQL schema: each type module registers itself with the builder.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import { readConnectionPropertiesInline } from './inline-properties.js';
import './types/common.js';
import './types/errors.js';
import './types/registered-model.js';
import './types/model-version.js';
import './types/stage-transition.js';
import './types/registry-event.js';
import './types/access.js';

export const schema = readConnectionPropertiesInline(lexicographicSortSchema(builder.toSchema()));
