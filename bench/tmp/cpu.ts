import { Agent } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ACCOUNT, ROOT, iam, signed, startChild } from '../http-bench.js';

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return process.env['PART'] === 'user' ? Number(f[11]) : process.env['PART'] === 'sys' ? Number(f[12]) : Number(f[11]) + Number(f[12]);
}
const agent = new Agent({ keepAlive: true });
const dir = mkdtempSync(join(tmpdir(), 'gh-cpu-'));
const server = await startChild(['gatehouse', dir], { GATEHOUSE_BENCH_REQUEST_LOG: process.env['LOGFILE'] ?? join(dir, 'req.log') });
const port = server.port;
await iam(agent, port, ROOT, { Action: 'CreateUser', UserName: 'bench' });
const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser'], Resource: '*' }] });
await iam(agent, port, ROOT, { Action: 'PutUserPolicy', UserName: 'bench', PolicyName: 'p', PolicyDocument: document });
const created = await iam(agent, port, ROOT, { Action: 'CreateAccessKey', UserName: 'bench' });
const user = { id: /<AccessKeyId>([^<]+)</.exec(created)?.[1] as string, secret: /<SecretAccessKey>([^<]+)</.exec(created)?.[1] as string };
const req = signed(port, user, 'Action=GetUser&Version=2010-05-08&UserName=bench');
const script = join(dir, 'r.lua');
const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(req.body)}`];
for (const [n, v] of Object.entries(req.headers)) lines.push(`wrk.headers[${JSON.stringify(n)}] = ${JSON.stringify(v)}`);
writeFileSync(script, lines.join('\n') + '\n');
let logging = false;
const pid = server.child.pid as number;
const results: Record<string, number[]> = { on: [], off: [] };
const rounds = Number(process.env['ROUNDS'] ?? 5);
const fixed = process.env['FIXED'];
for (let r = -1; r < rounds; r++) {
  for (const on of fixed !== undefined ? [fixed === 'on'] : r % 2 === 0 ? [false, true] : [true, false]) {
    if (on !== logging) { if (process.env['NULLTEST'] === undefined) server.child.kill('SIGUSR2'); logging = on; await new Promise((res) => setTimeout(res, 200)); }
    const t0 = cpuTicks(pid);
    const out = execFileSync('/usr/bin/wrk', ['-t1', '-c32', `-d${process.env['SECS'] ?? 4}s`, '-s', script, `http://127.0.0.1:${port}/`]).toString();
    const t1 = cpuTicks(pid);
    const n = Number(/(\d+) requests in/.exec(out)![1]);
    if (r >= 0) results[on ? 'on' : 'off']!.push(((t1 - t0) * 10_000) / n);
    if (process.env['QUIET'] === undefined) console.log(on ? 'on ' : 'off', n, (((t1 - t0) * 10_000) / n).toFixed(2), 'us cpu/request', /Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const ratios = results['on']!.map((v, i) => v / results['off']![i]!);
if (results['on']!.length && results['off']!.length) console.log('median cpu/request off', med(results['off']!).toFixed(2), 'on', med(results['on']!).toFixed(2), 'ratio', med(ratios).toFixed(3), 'q1', [...ratios].sort()[Math.floor(ratios.length/4)]!.toFixed(3), 'q3', [...ratios].sort()[Math.floor(3*ratios.length/4)]!.toFixed(3));
server.child.kill('SIGTERM');
await new Promise((res) => setTimeout(res, 1000));
agent.destroy();
void ACCOUNT;
