import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { createControlPlane } from "../../control-plane/create-control-plane.js";
import { generateKeyFile, readKeyRing, rotateKeyFile } from "../../engines/audit/keys.js";
import { type BundleVerification, verifyAuditBundle } from "../../engines/audit/verify-bundle.js";
import { requireOptions } from "../client-options.js";
import { CliError, type CliIo, EXIT, usageError } from "../io.js";
import { openStorage, type StorageArgs } from "../open-storage.js";

interface KeygenOptions {
  readonly out: string;
  readonly origin?: string;
  readonly rotate?: boolean;
}

interface ExportOptions extends StorageArgs {
  readonly out: string;
  readonly key: string;
}

interface CheckOptions extends StorageArgs {
  readonly key?: string;
  readonly session?: string;
  readonly json?: boolean;
}

interface VerifyOptions {
  readonly trustedCheckpoint?: string;
  readonly json?: boolean;
}

/** A policy that denies everything: exporting only reads the log. */
const EXPORT_POLICY = { version: 1 } as const;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw usageError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** Writes `text` to `file` through a temporary file and a rename (never a half-written key or bundle). */
function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode, flag: "wx" });
  renameSync(tmp, file);
}

function keygen(o: KeygenOptions, io: CliIo): void {
  if (o.rotate) {
    if (!existsSync(o.out)) throw usageError(`--rotate: no key file at ${o.out} to rotate`);
    if (o.origin !== undefined)
      throw usageError("--origin cannot change on --rotate: the log keeps its origin");
    let current: unknown;
    try {
      current = JSON.parse(readText(o.out, "key file"));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw usageError(`${o.out} is not a JSON key file`);
    }
    const rotated = rotateKeyFile(current);
    writeAtomically(o.out, `${JSON.stringify(rotated, null, 2)}\n`, 0o600);
    io.out(
      `rotated the signing key of ${rotated.origin} in ${o.out}; ${rotated.retired_public_keys.length} retired`,
    );
    return;
  }
  if (existsSync(o.out))
    throw usageError(`${o.out} exists: give another --out, or --rotate to rotate its key`);
  const file = generateKeyFile(o.origin ?? "agent-control-plane/audit");
  writeFileSync(o.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  io.out(`wrote a new Ed25519 audit signing key for ${file.origin} to ${o.out} (keep it private)`);
}

async function exportBundle(o: ExportOptions, io: CliIo): Promise<void> {
  const auditKeys = readKeyRing(o.key);
  const storage = await openStorage(o, io.env);
  try {
    const cp = await createControlPlane({ storage, policy: EXPORT_POLICY, recoverOnStart: false, auditKeys });
    const bundle = await cp.exportAudit();
    await cp.close();
    if (bundle === undefined) throw new CliError(EXIT.notFound, "the audit log is empty: nothing to export");
    writeAtomically(o.out, JSON.stringify(bundle), 0o644);
    io.out(
      `exported ${bundle.events.length} events and ${bundle.earlier_checkpoints.length + 1} checkpoints of ${bundle.origin} to ${o.out}`,
    );
  } finally {
    await storage.close();
  }
}

/** Prints each problem of a report, one line each: `kind (session S, seq N): detail`. */
function printProblems(
  problems: readonly { kind: string; sessionId?: string; seq?: number; detail: string }[],
  io: CliIo,
): void {
  for (const p of problems) {
    const where = [
      p.sessionId === undefined ? undefined : `session ${p.sessionId}`,
      p.seq === undefined ? undefined : `seq ${p.seq}`,
    ].filter((x) => x !== undefined);
    io.out(`${p.kind}${where.length === 0 ? "" : ` (${where.join(", ")})`}: ${p.detail}`);
  }
}

/**
 * `acp audit check`: `verifyAudit` on the database itself (hash chains; with `--key`, the signed checkpoints
 * too). Prints every problem; exit 1 on any.
 */
async function checkDatabase(o: CheckOptions, io: CliIo): Promise<void> {
  const auditKeys = o.key === undefined ? undefined : readKeyRing(o.key);
  const storage = await openStorage(o, io.env);
  try {
    const cp = await createControlPlane({
      storage,
      policy: EXPORT_POLICY,
      recoverOnStart: false,
      ...(auditKeys === undefined ? {} : { auditKeys }),
    });
    const report = await cp
      .verifyAudit(o.session === undefined ? {} : { sessionId: o.session })
      .finally(() => cp.close());
    if (o.json) io.out(JSON.stringify(report));
    else if (report.ok) {
      io.out(
        `ok: ${report.checkedEvents} events verified` +
          (auditKeys === undefined ? " (hash chains; give --key to check the signed checkpoints too)" : ""),
      );
    } else printProblems(report.problems, io);
    if (!report.ok) {
      const n = report.problems.length;
      throw new CliError(
        EXIT.failure,
        `${n} problem${n === 1 ? "" : "s"} found: the audit log does not verify`,
      );
    }
  } finally {
    await storage.close();
  }
}

/** The note of a trusted checkpoint file: the note text itself, or JSON with a `checkpoint` field (the HTTP answer). */
function trustedNote(file: string): string {
  const text = readText(file, "trusted checkpoint");
  if (!text.trimStart().startsWith("{")) return text;
  try {
    const json = JSON.parse(text) as { checkpoint?: unknown };
    if (typeof json.checkpoint === "string") return json.checkpoint;
  } catch {
    // Not JSON after all: verified as note text (and reported if it is not one).
  }
  return text;
}

function verifyFile(file: string, o: VerifyOptions, io: CliIo): void {
  const text = readText(file, "bundle");
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch {
    bundle = undefined;
  }
  const trusted = o.trustedCheckpoint === undefined ? undefined : trustedNote(o.trustedCheckpoint);
  const result: BundleVerification = verifyAuditBundle(
    bundle,
    trusted === undefined ? {} : { trustedCheckpoint: trusted },
  );
  if (o.json) io.out(JSON.stringify(result));
  else if (result.ok) {
    io.out(
      `ok: ${result.checkedEvents} events verified against the signed checkpoint of size ${result.treeSize}` +
        (trusted === undefined ? "" : "; the log extends the trusted checkpoint"),
    );
  } else printProblems(result.problems, io);
  if (!result.ok) {
    const n = result.problems.length;
    throw new CliError(EXIT.failure, `${n} problem${n === 1 ? "" : "s"} found: the bundle does not verify`);
  }
}

/**
 * Registers `acp audit`: `keygen` (a new or rotated Ed25519 signing key file), `export` (a self-contained bundle
 * of the log, its checkpoints and proofs), `verify` (offline, no database: prints every problem, exit 1 on any)
 * and `check` (the same report on the database itself, through `verifyAudit`).
 */
export function registerAuditCommand(program: Command, io: CliIo): void {
  const audit = program
    .command("audit")
    .description("Verifiable audit log: signing keys, export of a proof bundle, offline verification");
  const keygenCommand = audit
    .command("keygen")
    .description("Write a new Ed25519 checkpoint signing key file (mode 600), or rotate the key of one")
    .option("--out <file>", "the key file to write (refused if it exists, unless --rotate)")
    .option(
      "--origin <name>",
      "the log's name, first line of every checkpoint (default: agent-control-plane/audit)",
    )
    .option("--rotate", "replace the signing key of --out; its public key stays valid for older checkpoints")
    .action((o: KeygenOptions) => keygen(o, io));
  requireOptions(keygenCommand, "--out");
  const exportCommand = audit
    .command("export")
    .description("Seal the log and write a self-contained bundle: events, checkpoints, proofs, public keys")
    .option("--out <file>", "the bundle file to write (JSON)")
    .option("--key <file>", "the audit key file of the control plane (audit.signing_key_file)")
    .option("--sqlite <file>", "an existing SQLite database file of the control plane")
    .option("--postgres <url>", "a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)")
    .option("--schema <name>", "the PostgreSQL schema (default: public)")
    .action((o: ExportOptions) => exportBundle(o, io));
  requireOptions(exportCommand, "--out", "--key");
  audit
    .command("verify")
    .description("Verify a bundle offline and print each problem; exit 1 when there is any")
    .argument("<file>", "the bundle written by acp audit export")
    .option(
      "--trusted-checkpoint <file>",
      "a checkpoint kept apart from the log (note text, or the JSON of GET /v1/audit/checkpoint): the log must extend it",
    )
    .option("--json", "print { ok, checkedEvents, treeSize, problems } as JSON")
    .action((file: string, o: VerifyOptions) => verifyFile(file, o, io));
  audit
    .command("check")
    .description("Verify the audit log in the database (verifyAudit) and print each problem; exit 1 on any")
    .option("--sqlite <file>", "an existing SQLite database file of the control plane")
    .option("--postgres <url>", "a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)")
    .option("--schema <name>", "the PostgreSQL schema (default: public)")
    .option("--key <file>", "the audit key file (audit.signing_key_file): also check the signed checkpoints")
    .option("--session <id>", "check only this session's hash chain")
    .option("--json", "print { ok, checkedEvents, problems } as JSON")
    .action((o: CheckOptions) => checkDatabase(o, io));
}
