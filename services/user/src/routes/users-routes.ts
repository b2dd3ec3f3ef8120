import { httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { UsersRepository } from '../adapters/users-repository.ts';
import { listUsersQuerySchema, newUserSchema, type Segment } from '../domain/user.ts';

export interface UsersRoutesOptions {
  repository: UsersRepository;
  onUserCreated?: (segment: Segment) => void;
}

export function registerUsersRoutes(
  app: FastifyInstance,
  { repository, onUserCreated }: UsersRoutesOptions,
): void {
  app.get('/users', async (request) => {
    const query = parseOrThrow(listUsersQuerySchema, request.query, 'query');
    const page = repository.list(query);
    return { items: page.items, total: page.total, limit: query.limit, offset: query.offset };
  });

  app.get('/users/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const user = repository.findById(id);
    if (!user) throw httpError(404, 'NOT_FOUND', `user ${id} not found`);
    return user;
  });

  app.post('/users', { config: { statuses: [201] } }, async (request, reply) => {
    const input = parseOrThrow(newUserSchema, request.body);
    const user = repository.insert(input);
    if (!user) throw httpError(409, 'CONFLICT', 'a user with this email already exists');
    onUserCreated?.(user.segment);
    request.log.info({ event: 'user_created', user_id: user.id, segment: user.segment }, 'user created');
    return reply.code(201).header('location', `/users/${user.id}`).send(user);
  });
}
