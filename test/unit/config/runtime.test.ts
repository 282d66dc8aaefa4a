import { describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../../../shared/config/runtime.ts';

describe('readRuntimeSettings', () => {
  it('reads the function environment, with defaults', () => {
    expect(readRuntimeSettings({ BROKER_CONFIG: '/opt/broker.yaml' })).toEqual({ BROKER_CONFIG: '/opt/broker.yaml', REPLAY_TABLE: 'federation-broker-replay', SIGNING_KEY_ARN: undefined, AWS_REGION: 'us-east-1', BROKER_METRICS: 'emf', BROKER_TRACING: 'false' });
    expect(readRuntimeSettings({ BROKER_CONFIG: 'b.yaml', REPLAY_TABLE: 't', SIGNING_KEY_ARN: 'arn:k', AWS_REGION: 'eu-west-1' })).toEqual({ BROKER_CONFIG: 'b.yaml', REPLAY_TABLE: 't', SIGNING_KEY_ARN: 'arn:k', AWS_REGION: 'eu-west-1', BROKER_METRICS: 'emf', BROKER_TRACING: 'false' });
  });

  it('reads BROKER_METRICS (emf, text, off) and BROKER_TRACING (true, false), and refuses anything else', () => {
    expect(readRuntimeSettings({ BROKER_CONFIG: 'b.yaml', BROKER_METRICS: 'text', BROKER_TRACING: 'true' })).toMatchObject({ BROKER_METRICS: 'text', BROKER_TRACING: 'true' });
    expect(() => readRuntimeSettings({ BROKER_CONFIG: 'b.yaml', BROKER_METRICS: 'verbose', BROKER_TRACING: 'yes' })).toThrow(
      expect.objectContaining({ problems: [expect.objectContaining({ path: 'BROKER_METRICS' }), expect.objectContaining({ path: 'BROKER_TRACING' })] }),
    );
  });

  it('fails the cold start naming every variable that is missing or empty', () => {
    expect(() => readRuntimeSettings({})).toThrow(expect.objectContaining({ problems: [{ severity: 'error', path: 'BROKER_CONFIG', message: 'is required' }] }));
    expect(() => readRuntimeSettings({ BROKER_CONFIG: '', REPLAY_TABLE: '', AWS_REGION: '' })).toThrow(
      expect.objectContaining({
        problems: [
          { severity: 'error', path: 'BROKER_CONFIG', message: 'must name the config file' },
          { severity: 'error', path: 'REPLAY_TABLE', message: 'must not be empty' },
          { severity: 'error', path: 'AWS_REGION', message: 'must not be empty' },
        ],
      }),
    );
  });
});
