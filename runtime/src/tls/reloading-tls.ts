/**
 * A certificate a service serves (the gateway's to clients, the internal one to peers), read
 * again when its files change: cert-manager or Terraform (or whoever renews it) replaces the
 * files of a mounted Secret, and a service that read them once would serve the old certificate
 * until it expired. Sessions read `context` and `certificateDer` as they start TLS, so a
 * renewal applies to every new connection and to none already running.
 * A pair that cannot be used (a key that does not match, a file half written) keeps the old
 * one, logged, until the next change.
 */
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { type SecureContext, createSecureContext } from 'node:tls';
import type { Logger } from '../util/log';

/** How often the files are looked at: renewals come days before expiry, so seconds do not matter. */
export const TLS_RELOAD_CHECK_MS = 5_000;

interface Loaded {
  /** The PEM pair as read, for servers that take options rather than a context (node:https). */
  readonly material: { readonly cert: string; readonly key: string };
  readonly context: SecureContext;
  readonly certificateDer: Buffer;
  readonly certificate: X509Certificate;
  readonly stamp: string;
}

/** The files of a served certificate: the chain and its private key, both PEM. */
export interface ServedCertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export type CertificateListener = (certificate: X509Certificate) => void;

export class ReloadingTls {
  private loaded: Loaded;
  private timer: NodeJS.Timeout | undefined;
  /** Everyone in the process who acts on a renewal (one watcher per certificate file, however many use it). */
  private readonly listeners = new Set<CertificateListener>();

  constructor(
    private readonly files: ServedCertificateFiles,
    onChange: CertificateListener | undefined,
    private readonly log: Logger,
    /** What the certificate is, for the log: 'gateway', 'internal'. */
    private readonly label = 'gateway',
  ) {
    this.loaded = this.load();
    if (onChange) this.listeners.add(onChange);
  }

  /** Calls `listener` after each renewal from now on; the returned function stops that. */
  onChange(listener: CertificateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get material(): { readonly cert: string; readonly key: string } {
    return this.loaded.material;
  }

  get context(): SecureContext {
    return this.loaded.context;
  }

  get certificateDer(): Buffer {
    return this.loaded.certificateDer;
  }

  get certificate(): X509Certificate {
    return this.loaded.certificate;
  }

  /** Looks at the files every `intervalMs` from now on. */
  watch(intervalMs = TLS_RELOAD_CHECK_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.reloadIfChanged(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the files again if they changed since the last read; true when a new certificate is in use. */
  reloadIfChanged(): boolean {
    let stamp: string;
    try {
      stamp = this.stampNow();
    } catch {
      return false; // being replaced: the next look sees the new files
    }
    if (stamp === this.loaded.stamp) return false;
    try {
      this.loaded = this.load();
    } catch (error) {
      this.log.warn({ err: (error as Error).message, certFile: this.files.certFile }, `the ${this.label} certificate files changed but cannot be used; still serving the previous certificate`);
      return false;
    }
    this.log.info({ certFile: this.files.certFile, subject: this.loaded.certificate.subject, validTo: this.loaded.certificate.validTo }, `${this.label} certificate reloaded`);
    for (const listener of this.listeners) listener(this.loaded.certificate);
    return true;
  }

  private load(): Loaded {
    const stamp = this.stampNow();
    const material = { cert: readFileSync(this.files.certFile, 'utf8'), key: readFileSync(this.files.keyFile, 'utf8') };
    const certificate = new X509Certificate(material.cert);
    return { material, context: createSecureContext(material), certificateDer: certificate.raw, certificate, stamp };
  }

  /** Modification time and size of both files (following symlinks, as a mounted Secret's are). */
  private stampNow(): string {
    return [this.files.certFile, this.files.keyFile].map((file) => {
      const stat = statSync(file);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    }).join('|');
  }
}
