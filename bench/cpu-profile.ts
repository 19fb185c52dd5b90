import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalInMs: number;
  /** Time spent in each function itself, largest first. */
  selfByFunction: [string, number][];
  /** Time spent in each file and everything it called, largest first. */
  inclusiveByFile: [string, number][];
}

/** Reads a `.cpuprofile` written by `node --cpu-prof` and sums its samples. */
export function summarizeProfile(file: string, limit = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalInMicroseconds = 0;
  profile.samples.forEach((sample, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    totalInMicroseconds += delta;
    const node = nodes.get(sample);
    if (!node) return;
    add(self, functionLabel(node), delta);

    const files = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parents.get(id)) {
      const ancestor = nodes.get(id);
      if (ancestor) files.add(fileLabel(ancestor));
    }
    for (const fileName of files) add(inclusive, fileName, delta);
  });

  const top = (map: Map<string, number>): [string, number][] =>
    [...map]
      .map(([key, value]): [string, number] => [key, value / 1000])
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit);
  return {
    totalInMs: totalInMicroseconds / 1000,
    selfByFunction: top(self),
    inclusiveByFile: top(inclusive),
  };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function fileLabel(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (url === '') return `(${node.callFrame.functionName || 'native'})`;
  const nodeModules = url.lastIndexOf('node_modules/');
  if (nodeModules !== -1) return url.slice(nodeModules + 'node_modules/'.length);
  return url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
}

function functionLabel(node: ProfileNode): string {
  return `${node.callFrame.functionName || '(anonymous)'} ${fileLabel(node)}`;
}
