import { applyDependencyFault } from '@vigil/telemetry';
import nodemailer from 'nodemailer';

export interface EmailSenderOptions {
  host: string;
  port: number;
  from: string;
  timeoutMs: number;
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  /** Stable per notification, so a receiver can recognise a redelivery. */
  messageId: string;
}

/** Sends mail over plain SMTP (a local sink or relay); every phase is bounded by `timeoutMs`. */
export function createEmailSender(options: EmailSenderOptions) {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(email: Email): Promise<void> {
      await applyDependencyFault('smtp', AbortSignal.timeout(options.timeoutMs));
      await transport.sendMail({
        from: options.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
      });
    },
    close(): void {
      transport.close();
    },
  };
}

export type EmailSender = ReturnType<typeof createEmailSender>;
