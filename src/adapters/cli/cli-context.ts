import type { CheckpointOutcome } from '../../core/audit/audit-checkpointer.js';
import type { AuditService } from '../../core/audit/audit-service.js';
import type { AppPasswords } from '../../core/directory/app-passwords.js';
import type { DirectoryService } from '../../core/directory/directory-service.js';
import type { PolicyAdmin } from '../../core/policy/policy-admin.js';
import type { RestrictionService } from '../../core/restrictions/restriction-service.js';
import type { EvidenceService } from '../../core/evidence/evidence-service.js';
import type { PolicyWhatIf } from '../../core/what-if/policy-what-if.js';
import type { Principal } from '../../core/roles/principal.js';
import type { Role } from '../../core/roles/roles.js';
import type { DeploymentFacts } from './mail-stack-config.js';
import type { Output } from './output.js';

/** A captured message as `outbox list` shows it. */
export interface OutboxListItem {
  readonly id: string;
  readonly at: Date;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string | null;
  readonly size: number;
}

/** One line of `demo hijack`: what happened to one message. */
export interface HijackStep {
  readonly n: number;
  readonly recipient: string;
  readonly reply: string;
  readonly restricted: boolean;
}

/** The services the CLI drives, on the same store as the running server. */
export interface CliServices {
  readonly directory: DirectoryService;
  readonly restrictions: RestrictionService;
  /** Messages kept as evidence (audited reads) and Unblock with the learning verdict. */
  readonly evidence: Pick<EvidenceService, 'list' | 'open' | 'unblock'>;
  readonly policyAdmin: PolicyAdmin;
  /** What-if replays (policy what-if). */
  readonly whatIf: Pick<PolicyWhatIf, 'previewDefault' | 'previewCustom'>;
  readonly audit: AuditService;
  /** A user's app passwords; the CLI resolves the user through `directory` first. */
  readonly appPasswords: Pick<AppPasswords, 'create' | 'list' | 'revoke'>;
  createToken(
    p: Principal,
    input: { role: Role; name?: string | undefined; expiresInDays?: number | undefined },
  ): Promise<{ id: string; token: string; role: Role; expiresAt: Date | null }>;
  listOutbox(): Promise<readonly OutboxListItem[]>;
  /** Starts a new audit checkpoint file after the old one was lost; audited. */
  restartCheckpoints(p: Principal): Promise<CheckpointOutcome>;
  addDomain(p: Principal, domain: string): Promise<readonly string[]>;
  listDomains(): Promise<readonly { name: string; domains: readonly string[] }[]>;
  /** Submits spam as the user through the running gateway until the policy restricts them. */
  demoHijack(
    email: string,
    options: { max: number },
    onStep: (step: HijackStep) => void,
  ): Promise<{ restricted: boolean; sent: number }>;
  close(): Promise<void>;
}

/** What main.ts hands the CLI. */
export interface CliContext {
  readonly principal: Principal;
  readonly output: Output;
  /** package.json's version, for `--version`. */
  readonly version: string;
  /** Opens the store and builds the services (not done for --help or serve). */
  open(): Promise<CliServices>;
  /** This deployment's store, HTTP URL and policy port, for `integrate` (reads only the config). */
  deployment(): DeploymentFacts;
  /** Runs the server in this process until a signal stops it. */
  serve(options: { demo: boolean }): Promise<void>;
}
