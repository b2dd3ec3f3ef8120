export { type SmtpSink, type SmtpSinkOptions, startSmtpSink } from './smtp-sink.ts';
