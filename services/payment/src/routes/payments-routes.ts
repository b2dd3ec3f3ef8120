import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { callerOf, httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PaymentsRepository } from '../adapters/payments-repository.ts';
import { cardSchema, inspectCard } from '../domain/card.ts';
import {
  chargeMethod,
  chargeSchema,
  idempotencyKeySchema,
  listPaymentsQuerySchema,
  type Payment,
} from '../domain/payment.ts';
import type { Processor } from '../domain/processor.ts';

export interface PaymentsRoutesOptions {
  repository: PaymentsRepository;
  processor: Processor;
  onSettled: (payment: Payment) => void;
}

function respond(reply: FastifyReply, payment: Payment): FastifyReply {
  if (payment.status === 'declined') {
    return reply.code(402).send({
      error: {
        code: 'PAYMENT_DECLINED',
        message: `the card was declined: ${payment.decline_reason}`,
        details: { payment },
      },
    });
  }
  return reply.code(201).header('location', `/payments/${payment.id}`).send(payment);
}

export function registerPaymentsRoutes(app: FastifyInstance, options: PaymentsRoutesOptions): void {
  const { repository, processor, onSettled } = options;

  app.post('/payment-methods', { config: { statuses: [201] } }, async (request, reply) => {
    const card = parseOrThrow(cardSchema, request.body);
    const method = repository.saveMethod(inspectCard(card));
    // The vault answers with what may be kept; the card number and CVV end here.
    return reply.code(201).send({
      token: method.token,
      brand: method.brand,
      last4: method.last4,
      exp_month: method.exp_month,
      exp_year: method.exp_year,
    });
  });

  // 402: a declined card, a business outcome (PaymentFailuresHigh counts only 5xx).
  app.post('/payments', { config: { statuses: [201, 402] } }, async (request, reply) => {
    const rawKey = request.headers['idempotency-key'];
    if (rawKey === undefined)
      throw httpError(400, 'MISSING_IDEMPOTENCY_KEY', 'the Idempotency-Key header is required');
    // Keys are scoped to the calling service: one caller's key can never claim or replay another's charge.
    const key = `${callerOf(request)}/${parseOrThrow(idempotencyKeySchema, rawKey, 'Idempotency-Key')}`;
    const charge = parseOrThrow(chargeSchema, request.body);
    const how = chargeMethod(charge);
    // A card charge and its card-less continuation are the same request: the card is not part of it.
    const requestHash = createHash('sha256')
      .update(
        `${charge.order_id}|${charge.amount_cents}|${charge.currency}|${charge.payment_method_token ?? 'card'}`,
      )
      .digest('hex');
    const started = {
      idempotencyKey: key,
      requestHash,
      orderId: charge.order_id,
      amountCents: charge.amount_cents,
      currency: charge.currency,
    };
    let begun: ReturnType<PaymentsRepository['begin']>;
    if (how === 'token') {
      const method = repository.findMethod(charge.payment_method_token!);
      if (!method)
        throw httpError(422, 'UNKNOWN_PAYMENT_METHOD', 'payment_method_token: no such payment method');
      begun = repository.begin({ ...started, token: method.token });
    } else {
      // The key's charge, when there is one, decides: a retry is answered from it whatever card it carries.
      const existing = repository.findByKey(key);
      if (existing) begun = { record: existing, created: false };
      else if (how === 'card' && !repository.isClosed(key))
        begun = repository.beginWithCard(started, inspectCard(charge.card!));
      else {
        // A card-less retry found no charge: the caller will treat the order as never charged, so the key
        // closes and a late request still carrying the card (stuck before this handler) charges nothing.
        repository.closeKey(key);
        throw httpError(
          422,
          'CHARGE_NOT_STARTED',
          'no charge was started under this Idempotency-Key, and none will be',
        );
      }
    }
    const { record, created } = begun;
    const span = trace.getActiveSpan();
    span?.setAttribute('payment.id', record.payment.id);
    if (!created) {
      if (record.requestHash !== requestHash) {
        throw httpError(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'this Idempotency-Key was used for a different payment',
        );
      }
      if (record.payment.status === 'processing') {
        throw httpError(
          409,
          'PAYMENT_IN_PROGRESS',
          'a payment with this Idempotency-Key is still processing',
        );
      }
      span?.setAttribute('payment.replayed', true);
      reply.header('idempotent-replayed', 'true');
      return respond(reply, record.payment);
    }
    const verdict = await processor.authorize(record.outcome);
    const payment = verdict.approved
      ? repository.finish(record.payment.id, 'succeeded', null)
      : repository.finish(record.payment.id, 'declined', verdict.reason);
    span?.setAttribute('payment.status', payment.status);
    onSettled(payment);
    request.log.info(
      {
        event: 'payment_settled',
        payment_id: payment.id,
        order_id: payment.order_id,
        status: payment.status,
        decline_reason: payment.decline_reason,
        last4: payment.last4,
      },
      'payment settled',
    );
    return respond(reply, payment);
  });

  app.get('/payments', async (request) => {
    const query = parseOrThrow(listPaymentsQuerySchema, request.query, 'query');
    return { items: repository.listByOrder(query.order_id) };
  });

  app.get('/payments/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const payment = repository.findById(id);
    if (!payment) throw httpError(404, 'NOT_FOUND', `payment ${id} not found`);
    return payment;
  });

  app.post('/payments/:id/refund', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const payment = repository.refund(id);
    if (!payment) throw httpError(404, 'NOT_FOUND', `payment ${id} not found`);
    if (payment.status !== 'refunded') {
      throw httpError(
        409,
        'NOT_REFUNDABLE',
        `payment ${id} is ${payment.status}; only succeeded payments refund`,
      );
    }
    request.log.info(
      { event: 'payment_refunded', payment_id: id, order_id: payment.order_id },
      'payment refunded',
    );
    return payment;
  });
}
