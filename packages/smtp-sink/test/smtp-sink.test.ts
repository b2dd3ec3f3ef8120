import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../src/smtp-sink.ts';

let sink: SmtpSink | undefined;
let dir: string;

afterEach(async () => {
  await sink?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SMTP sink', () => {
  it('stores each message as one complete .eml file and answers readiness', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sink-'));
    sink = await startSmtpSink({ host: '127.0.0.1', port: 0, httpPort: 0, directory: dir });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    });
    for (let i = 0; i < 3; i++) {
      await transport.sendMail({
        from: 'shop@vigil.local',
        to: 'ada@example.com',
        subject: `Order #${i} confirmed`,
        text: 'thanks',
      });
    }
    transport.close();
    const files = readdirSync(dir);
    expect(files.filter((f) => /^[0-9]+-[0-9a-f-]{36}\.eml$/.test(f))).toHaveLength(3);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8'));
    for (let i = 0; i < 3; i++)
      expect(texts.some((t) => t.includes(`Subject: Order #${i} confirmed`))).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${sink.httpPort}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${sink.httpPort}/nope`)).status).toBe(404);
  });

  it('refuses a message over the size limit and stores nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sink-'));
    sink = await startSmtpSink({ host: '127.0.0.1', port: 0, directory: dir, maxBytes: 1024 });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
    });
    await expect(
      transport.sendMail({
        from: 'a@vigil.local',
        to: 'b@vigil.local',
        subject: 'big',
        text: 'x'.repeat(10_000),
      }),
    ).rejects.toThrow();
    transport.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
