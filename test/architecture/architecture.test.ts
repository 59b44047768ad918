/**
 * The shape of the code, checked on every run: no import cycle between files, no two folders
 * that import each other, and no file in runtime/src over 400 lines — in the runtime, the
 * constructs and the provider.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCycles, folderCycles, importGraph } from './import-graph';

const REPO = resolve(__dirname, '..', '..');
const TREES = ['runtime/src', 'constructs/src', 'provider/src'];
const notTests = (file: string) => file.endsWith('.test.ts') || file.includes('fixtures/');

describe('architecture', () => {
  for (const tree of TREES) {
    const graph = importGraph(join(REPO, tree), { skip: notTests });

    it(`${tree}: no import cycle between files`, () => {
      expect(graph.files.size).toBeGreaterThan(10);
      expect(fileCycles(graph)).toEqual([]);
    });

    it(`${tree}: no two folders import each other`, () => {
      expect(folderCycles(graph)).toEqual([]);
    });
  }

  it('runtime/src: no file over 400 lines', () => {
    const long: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && readFileSync(path, 'utf8').split('\n').length > 400) long.push(relative(REPO, path));
      }
    };
    walk(join(REPO, 'runtime/src'));
    expect(long).toEqual([]);
  });

  it('finds what it is meant to find (a cycle and a folder pair, planted)', () => {
    const planted = { files: new Map([['a/x', ['b/y']], ['b/y', ['a/z']], ['a/z', ['a/x']], ['c/w', []]]) };
    expect(fileCycles(planted)).toEqual([['a/x', 'a/z', 'b/y']]);
    expect(folderCycles(planted)).toEqual(['a <-> b: a/x -> b/y; b/y -> a/z']);
  });
});
