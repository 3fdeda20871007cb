// RegistryEvent and the subscriptions: durable, resumable streams of committed changes.
import { encodeEventCursor } from '../../events/cursor.js';
import type { RegistryEventType } from '../../events/event-log.js';
import type { Stage } from '../../registry/types.js';
import { builder } from '../builder.js';
import { RegistryEventTypeEnum, StageEnum } from './common.js';
import { ModelVersionRef, RegisteredModelRef, RegistryEventRef, StageTransitionRef } from './refs.js';

RegistryEventRef.implement({
  description: 'One change to the registry, stored durably in commit order.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Resume token: pass it as `after` to registryEvents to receive the events that came after this one.',
      resolve: (e) => encodeEventCursor(e.position),
    }),
    type: t.field({ type: RegistryEventTypeEnum, description: 'What changed.', resolve: (e) => e.type as RegistryEventType }),
    name: t.exposeString('modelName', { description: 'The model’s name when the change was made.' }),
    version: t.exposeInt('version', { nullable: true, description: 'The version, for version-level events.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the change was made.' }),
    actor: t.exposeString('actor', { nullable: true, description: 'Who made it, where the request carried an identity.' }),
    transition: t.field({ type: StageTransitionRef, nullable: true, description: 'Set for STAGE_CHANGED.', resolve: (e) => e.transition }),
    registeredModel: t.field({
      type: RegisteredModelRef,
      nullable: true,
      description: 'Null once the model is gone.',
      resolve: (e, _, ctx) => ctx.loaders.modelById.load(e.modelId),
    }),
    modelVersion: t.field({
      type: ModelVersionRef,
      nullable: true,
      description: 'Null for model-level events and once the version is gone.',
      resolve: (e, _, ctx) => (e.versionId == null ? null : ctx.loaders.versionById.load(e.versionId)),
    }),
  }),
});

builder.queryField('latestEventCursor', (t) =>
  t.string({
    description:
      'The resume token of the newest committed event. A client that must not miss anything from now on (a deploy hook on its first start) stores it, then subscribes with it as `after`.',
    resolve: async (_, __, ctx) => encodeEventCursor(await ctx.events.newestPosition()),
  }),
);

builder.subscriptionFields((t) => ({
  stageChanged: t.field({
    type: StageTransitionRef,
    description:
      'Stage changes in commit order, each delivered once per subscription. With `after`, first replays every stored change after that cursor, then streams live ones with no gap and no repeat, so a deploy hook that reconnects misses nothing. Changes made through any server instance sharing the database arrive. `name` keeps one model’s changes; `stages` keeps changes into those stages.',
    args: {
      name: t.arg.string(),
      stages: t.arg({ type: [StageEnum] }),
      after: t.arg.string({ description: 'A StageTransition or RegistryEvent cursor.' }),
    },
    subscribe: async (_, args, ctx) => {
      ctx.forSubscription();
      const stages = args.stages ? new Set<Stage>(args.stages) : null;
      return ctx.events.stream({
        startPosition: await ctx.events.resumePosition(args.after),
        transport: ctx.transport === 'ws' ? 'ws' : 'sse',
        accept: async (e) =>
          e.transition != null &&
          (args.name == null || e.modelName === args.name) &&
          (!stages || stages.has(e.transition.toStage)) &&
          (await ctx.actor.allows(e.modelId, 'READ')), // per event: grants may change while subscribed
      });
    },
    resolve: (event) => event.transition!,
  }),
  registryEvents: t.field({
    type: RegistryEventRef,
    description: 'Every registry change, with the same ordering, replay and fan-out promises.',
    args: {
      names: t.arg.stringList({ description: 'Only these models’ events.' }),
      types: t.arg({ type: [RegistryEventTypeEnum], description: 'Only these kinds of event.' }),
      after: t.arg.string({ description: 'A RegistryEvent or StageTransition cursor.' }),
    },
    subscribe: async (_, args, ctx) => {
      ctx.forSubscription();
      const names = args.names ? new Set(args.names) : null;
      const types = args.types ? new Set<string>(args.types) : null;
      return ctx.events.stream({
        startPosition: await ctx.events.resumePosition(args.after),
        transport: ctx.transport === 'ws' ? 'ws' : 'sse',
        accept: async (e) => (!names || names.has(e.modelName)) && (!types || types.has(e.type)) && (await ctx.actor.allows(e.modelId, 'READ')),
      });
    },
    resolve: (event) => event,
  }),
}));
