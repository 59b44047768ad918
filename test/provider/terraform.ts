/**
 * Runs the real `terraform` binary against this repository's provider: a working directory
 * with a CLI configuration that points "polygres/polygres" at this build, as the provider
 * README tells users to do — dev_overrides (no `terraform init` needed, nor possible), or the
 * build's filesystem mirror (for `terraform init`, which configurations with a backend need).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROVIDER_BIN = resolve(__dirname, '..', '..', 'provider', 'bin');

export interface TerraformResult {
  readonly code: number;
  readonly output: string;
}

export interface TerraformDir {
  readonly dir: string;
  /** Replaces main.tf. */
  configure(hcl: string): void;
  run(...args: string[]): Promise<TerraformResult>;
  /** Runs and throws with the output unless the exit code is one of `codes`. */
  expect(codes: readonly number[], ...args: string[]): Promise<TerraformResult>;
}

/** The filesystem mirror the provider's build writes, for `terraform init` (and so `cdktf deploy`). */
export const PROVIDER_MIRROR = resolve(__dirname, '..', '..', 'provider', 'dist', 'mirror');

const INSTALLATION = {
  devOverrides: `provider_installation {\n  dev_overrides {\n    "polygres/polygres" = "${PROVIDER_BIN}"\n  }\n  direct {}\n}\n`,
  mirror: `provider_installation {\n  filesystem_mirror {\n    path    = "${PROVIDER_MIRROR}"\n    include = ["polygres/polygres"]\n  }\n  direct {\n    exclude = ["polygres/polygres"]\n  }\n}\n`,
};

/** Writes `dir/terraform.rc` pointing Terraform (and cdktf) at this build; returns its path for TF_CLI_CONFIG_FILE. */
export function writeCliConfig(dir: string, installation: keyof typeof INSTALLATION): string {
  const rc = join(dir, 'terraform.rc');
  writeFileSync(rc, INSTALLATION[installation]);
  return rc;
}

export function terraformDir(dir: string, installation: keyof typeof INSTALLATION = 'devOverrides'): TerraformDir {
  mkdirSync(dir, { recursive: true });
  const rc = writeCliConfig(dir, installation);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const run = (...args: string[]) =>
    new Promise<TerraformResult>((done) => {
      execFile('terraform', [...args, '-no-color'], { cwd: dir, env, timeout: 600_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
      });
    });
  return {
    dir,
    configure: (hcl) => writeFileSync(join(dir, 'main.tf'), hcl),
    run,
    async expect(codes, ...args) {
      const result = await run(...args);
      if (!codes.includes(result.code)) throw new Error(`terraform ${args.join(' ')} exited ${result.code}:\n${result.output}`);
      return result;
    },
  };
}

export const REQUIRED_PROVIDERS = `terraform {
  required_providers {
    polygres = { source = "polygres/polygres" }
  }
}
`;
