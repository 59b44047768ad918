/**
 * The import graph of a source tree, read from its files: every relative import (type-only
 * ones included — a cycle of types is still a cycle in the design), by file and by folder.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

export interface ImportGraph {
  /** Files (relative to the root, without extension) and the files each imports. */
  readonly files: ReadonlyMap<string, readonly string[]>;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g;

export function importGraph(root: string, options: { skip?: (file: string) => boolean } = {}): ImportGraph {
  const files = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !options.skip?.(relative(root, path))) {
        const source = readFileSync(path, 'utf8');
        const from = relative(root, path).replace(/\.ts$/, '');
        const targets = [...source.matchAll(IMPORT)].map((match) => relative(root, normalize(join(dirname(path), match[1]!))).replace(/\.(js|ts)$/, ''));
        files.set(from, targets.map((target) => (files.has(`${target}/index`) || isDirectory(join(root, target)) ? `${target}/index` : target)));
      }
    }
  };
  walk(root);
  return { files };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every cycle between files, each as the list of files around it (Tarjan's strongly connected components). */
export function fileCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    indices.set(file, index);
    low.set(file, index);
    index += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.files.get(file) ?? []) {
      if (!graph.files.has(target)) continue;
      if (!indices.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, indices.get(target)!));
    }
    if (low.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.files.get(file) ?? []).includes(file)) cycles.push(component.sort());
    }
  };
  for (const file of graph.files.keys()) if (!indices.has(file)) visit(file);
  return cycles;
}

/** Pairs of top-level folders that import each other, with one import each way as evidence. */
export function folderCycles(graph: ImportGraph): string[] {
  const edges = new Map<string, string>();
  const folder = (file: string) => (file.includes('/') ? file.split('/')[0]! : '.');
  for (const [file, targets] of graph.files) {
    for (const target of targets) {
      const [from, to] = [folder(file), folder(target)];
      if (from !== to && !edges.has(`${from} -> ${to}`)) edges.set(`${from} -> ${to}`, `${file} -> ${target}`);
    }
  }
  const found: string[] = [];
  for (const [edge, evidence] of edges) {
    const [from, to] = edge.split(' -> ') as [string, string];
    if (from < to && edges.has(`${to} -> ${from}`)) found.push(`${from} <-> ${to}: ${evidence}; ${edges.get(`${to} -> ${from}`)}`);
  }
  return found;
}
