import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommunityConfig } from '../../shared/domain/config';
import { adapterFor } from '../../shared/platforms/inbound';
import { createChatSender } from '../../shared/platforms/outbound';
import { isPlatformName, PLATFORM_DEFINITIONS, PLATFORMS, platformDefinition } from '../../shared/platforms/registry';
import { literalSecrets } from '../../shared/runtime/secrets';
import { communityConfig } from '../support/fixtures';

const folder = join(import.meta.dirname, '../../shared/platforms');

describe('Module: shared/platforms/registry', () => {
  it('registers exactly the platform folders, each once', () => {
    // Arrange
    const folders = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);

    // Assess
    expect([...PLATFORMS].sort()).toEqual(folders.sort());
    expect(new Set(PLATFORMS).size).toBe(PLATFORMS.length);
  });

  it.each(PLATFORM_DEFINITIONS.map((p) => [p.name, p] as const))(
    '%s: its config kind, inbound adapter and outbound factory carry its name',
    (name, definition) => {
      // Assess
      expect(definition.config.shape.kind.def.values).toEqual([name]);
      expect(adapterFor(name).platform).toBe(name);
      expect(typeof adapterFor(name).verify).toBe('function');
      expect(isPlatformName(name)).toBe(true);
    },
  );

  it('builds the config schema from the registry: an unregistered kind names the field', () => {
    // Act
    const attempt = () => parseCommunityConfig({ ...communityConfig(), platform: { kind: 'matrix' } });

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ path: 'platform.kind' }));
  });

  it('only the generic webhook is open to every community', () => {
    // Assess
    expect(PLATFORMS.filter((name) => platformDefinition(name).openToEveryCommunity)).toEqual(['generic']);
  });

  it('throws for a platform that is not registered', () => {
    // Assess
    expect(() => platformDefinition('matrix' as never)).toThrow('platform matrix is not registered');
    const community = { ...communityConfig(), platform: { kind: 'matrix' } } as never;
    expect(() => createChatSender(community, literalSecrets)).toThrow('platform matrix has no outbound sender');
  });
});
