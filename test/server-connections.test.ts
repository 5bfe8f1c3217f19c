// What one client can hold of the server: connections past the cap are closed as they arrive while a client already
// connected keeps being answered; idle, slow (slowloris) and half-sent connections are closed after their timeouts;
// a flood of aborted or unparsable requests writes a bounded number of log lines.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { flushLogger } from '../src/server/logger.js';
import { capturedLogger } from '../src/server/testing.js';
import { REGION, ROOT_KEY, startTestServer, type TestServer } from './helpers/server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw TCP connection to the server, with what it received and when it was closed (ms after opening). */
interface Probe {
  readonly socket: Socket;
  readonly received: () => string;
  readonly closed: Promise<number>;
}

function open(port: number, send?: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.on('close', () => done(performance.now() - started)));
    socket.once('error', reject);
    socket.once('connect', () => {
      if (send !== undefined) socket.write(send);
      resolve({ socket, received: () => received, closed });
    });
  });
}

/** Resolves with the close time, or with undefined if the connection is still open after `ms`. */
const closedWithin = (probe: Probe, ms: number): Promise<number | undefined> => Promise.race([probe.closed, sleep(ms).then(() => undefined)]);

/** An SDK client on one keep-alive connection of its own, so "an existing client" is one TCP connection. */
function keepAliveClient(endpoint: string): { client: IAMClient; agent: Agent } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const client = new IAMClient({ endpoint, region: REGION, credentials: ROOT_KEY, maxAttempts: 1, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
  return { client, agent };
}

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serverWith(env: NodeJS.ProcessEnv) {
  const { lines, logger } = capturedLogger();
  const server = await startTestServer(env, { logger });
  servers.push(server);
  return { server, lines, logger };
}

describe('the connection cap', () => {
  test('connections past the cap are closed at once; an existing keep-alive client is still answered', async () => {
    const { server, lines, logger } = await serverWith({ GATEHOUSE_MAX_CONNECTIONS: '4' });
    const { client, agent } = keepAliveClient(server.endpoint);
    try {
      await client.send(new GetUserCommand({}));
      const idle = await Promise.all([1, 2, 3].map(() => open(server.port)));
      // Give the server the turn in which it counts them.
      await sleep(50);
      const extra = await Promise.all([1, 2, 3, 4, 5].map(() => open(server.port)));
      const extraClosed = await Promise.all(extra.map((p) => closedWithin(p, 2000)));
      assert.ok(extraClosed.every((t) => t !== undefined), `every connection past the cap is closed: ${JSON.stringify(extraClosed)}`);
      const idleClosed = await Promise.all(idle.map((p) => closedWithin(p, 10)));
      assert.deepEqual(idleClosed, [undefined, undefined, undefined], 'the connections under the cap stay open');
      const user = await client.send(new GetUserCommand({}));
      assert.equal(user.User?.Arn?.endsWith(':root'), true);
      for (const p of idle) p.socket.destroy();
      await flushLogger(logger);
      const refused = lines.filter((l) => /connection limit reached/.test(String(l['msg'])));
      assert.ok(refused.length >= 1 && refused.length <= 5, `a log line says why: ${refused.length}`);
      assert.equal(refused[0]?.['maxConnections'], 4);
    } finally {
      agent.destroy();
    }
  });
});

describe('timeouts', () => {
  const env = { GATEHOUSE_HEADERS_TIMEOUT_MS: '300', GATEHOUSE_REQUEST_TIMEOUT_MS: '600', GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '200' };

  test('a connection that sends nothing is closed after the headers timeout', async () => {
    const { server } = await serverWith(env);
    const probe = await open(server.port);
    const closed = await closedWithin(probe, 3000);
    assert.ok(closed !== undefined && closed >= 250, `closed after ${closed} ms`);
  });

  test('a slowloris (headers trickling, never finished) is closed after the headers timeout with 408', async () => {
    const { server } = await serverWith(env);
    const probe = await open(server.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => probe.socket.write(`X-Slow-${Date.now()}: 1\r\n`), 50);
    try {
      const closed = await closedWithin(probe, 3000);
      assert.ok(closed !== undefined && closed >= 250, `closed after ${closed} ms`);
      assert.match(probe.received(), /^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
    }
  });

  test('a body that trickles is cut off after the request timeout', async () => {
    const { server } = await serverWith(env);
    const probe = await open(server.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => probe.socket.write('A'), 50);
    try {
      const closed = await closedWithin(probe, 3000);
      assert.ok(closed !== undefined && closed >= 550, `closed after ${closed} ms`);
    } finally {
      clearInterval(trickle);
    }
  });

  test('an idle keep-alive connection is closed after the keep-alive timeout (Node adds one second)', async () => {
    const { server } = await serverWith(env);
    const probe = await open(server.port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n');
    const closed = await closedWithin(probe, 4000);
    assert.match(probe.received(), /^HTTP\/1\.1 403 /, 'answered first (unsigned: MissingAuthenticationToken)');
    assert.ok(closed !== undefined && closed >= 150, `closed after ${closed} ms`);
  });

  test('a keep-alive client that pauses longer than the headers timeout keeps its connection', async () => {
    // Node's HTTP agent reuses a connection only if the server's Keep-Alive hint is over a second and a bit.
    const { server } = await serverWith({ ...env, GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: '2500' });
    let connections = 0;
    server.running.server.on('connection', () => connections++);
    const { client, agent } = keepAliveClient(server.endpoint);
    try {
      for (let i = 0; i < 4; i++) {
        await client.send(new GetUserCommand({}));
        await sleep(400);
      }
      assert.equal(connections, 1, 'one connection, reused');
    } finally {
      agent.destroy();
    }
  });
});

describe('client errors are logged on one line, a bounded number of times', () => {
  test('1000 requests aborted mid-body and unparsable ones: a few log lines, and the server still answers', async () => {
    const { server, lines, logger } = await serverWith({});
    // The code before this change wrote a stack trace per abort with console.error: count those lines too.
    let consoleLines = 0;
    const original = console.error;
    console.error = (...args: unknown[]) => {
      consoleLines += args.map(String).join(' ').split('\n').length;
    };
    try {
      const aborted = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nAction=GetUser&Ver';
      for (let batch = 0; batch < 20; batch++) {
        const probes = await Promise.all(Array.from({ length: 50 }, () => open(server.port, aborted)));
        await sleep(5);
        for (const p of probes) p.socket.destroy();
        await Promise.all(probes.map((p) => p.closed));
      }
      const garbage = await Promise.all(Array.from({ length: 100 }, () => open(server.port, 'THIS IS NOT HTTP\r\n\r\n')));
      await Promise.all(garbage.map((p) => closedWithin(p, 2000)));
      assert.ok(garbage.every((p) => /^HTTP\/1\.1 400 /.test(p.received())), 'an unparsable request is still answered 400');
      await sleep(100);
      const { client, agent } = keepAliveClient(server.endpoint);
      try {
        await client.send(new GetUserCommand({}));
      } finally {
        agent.destroy();
      }
      await flushLogger(logger);
    } finally {
      console.error = original;
    }
    const clientErrorLines = lines.filter((l) => /client error/.test(String(l['msg'])));
    assert.ok(clientErrorLines.length >= 1, 'client errors are logged');
    assert.ok(lines.length + consoleLines <= 12, `1100 client errors wrote ${lines.length} log lines and ${consoleLines} console lines`);
  });
});
