// plan/own-contact.ts: a contact that is only runnerform's POST /runners/verify, told apart by
// GitLab's status (never_contacted until a host asks for a job) and the managers' system_ids.
import { describe, expect, it } from 'vitest';
import { VERIFY_SYSTEM_ID, type LiveManager } from '../../src/model.js';
import { ownContactOnly } from '../../src/plan/own-contact.js';

const at = '2026-12-07T00:00:00Z';
const manager = (system_id: string, contacted_at: string | null = at): LiveManager => ({
  system_id,
  version: null,
  revision: null,
  platform: null,
  architecture: null,
  status: contacted_at ? 'online' : 'never_contacted',
  contacted_at,
  job_execution_status: null,
});

describe('ownContactOnly', () => {
  it("is true when GitLab says never_contacted and the only contacted manager is runnerform's", () => {
    expect(ownContactOnly({ contacted_at: at, status: 'never_contacted' }, [manager(VERIFY_SYSTEM_ID)])).toBe(true);
    // A host's manager that never contacted GitLab is no contact either.
    expect(ownContactOnly({ contacted_at: at, status: 'never_contacted' }, [manager(VERIFY_SYSTEM_ID), manager('s_a', null)])).toBe(true);
  });

  it("is false on anything less certain: a host's contacted manager, managers unknown, another status, no own manager", () => {
    expect(ownContactOnly({ contacted_at: at, status: 'never_contacted' }, [manager(VERIFY_SYSTEM_ID), manager('s_a')])).toBe(false);
    expect(ownContactOnly({ contacted_at: at, status: 'never_contacted' }, null)).toBe(false);
    expect(ownContactOnly({ contacted_at: at, status: 'online' }, [manager(VERIFY_SYSTEM_ID)])).toBe(false);
    expect(ownContactOnly({ contacted_at: at, status: 'never_contacted' }, [manager('<legacy>')])).toBe(false);
    expect(ownContactOnly({ contacted_at: null, status: 'never_contacted' }, [manager(VERIFY_SYSTEM_ID)])).toBe(false);
  });
});
