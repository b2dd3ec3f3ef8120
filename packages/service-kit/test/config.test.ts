import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig, serviceEnvShape, urlVars } from '../src/index.ts';

// Defaults come from @vigil/topology (user-service on 8001, product-service on 8002).
const schema = z.object({ ...serviceEnvShape('user-service'), ...urlVars(['product-service']) });

describe('parseConfig', () => {
  it('applies defaults and returns a frozen object', () => {
    const config = parseConfig(schema, {});
    expect(config).toEqual({
      HOST: '127.0.0.1',
      PORT: 8001,
      VIGIL_DATA_DIR: 'var/data',
      PRODUCT_SERVICE_URL: 'http://127.0.0.1:8002',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads values, treats empty as unset and trims URL slashes', () => {
    const config = parseConfig(schema, { PORT: '0', HOST: '', PRODUCT_SERVICE_URL: 'http://p:1/' });
    expect(config.PORT).toBe(0);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.PRODUCT_SERVICE_URL).toBe('http://p:1');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['HOST', 'bad host'],
    ['PRODUCT_SERVICE_URL', 'ftp://x'],
  ])('rejects %s=%s with a one-line message naming the variable', (name, value) => {
    let thrown: unknown;
    try {
      parseConfig(schema, { [name]: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as Error).message;
    expect(message).toContain(`${name}:`);
    expect(message).not.toContain('\n');
  });
});
