import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KIND } from '../../core/iam/kinds.js';
import { INSTANCES_PER_ACCOUNT } from '../../core/instances/registrations.js';
import type { Store } from '../../store/store.js';
import { ConfigError } from '../config-error.js';
import type { Logger } from '../logger.js';
import type { CredentialSource } from './credential-source.js';
import { createImdsHandler, type ImdsInstance } from './imds-handler.js';

export interface ImdsOptions {
  /** Where every instance's IMDS listens: loopback unless the operator chose otherwise. */
  readonly host: string;
  /** 0: each instance takes a port the system picks; otherwise the first free port from this one up. */
  readonly basePort: number;
}

/** How many ports from the base are tried before a registration gives up. */
const PORT_RANGE = INSTANCES_PER_ACCOUNT * 10;

/** A bound port waiting for its instance's record to commit; until then it answers 503. */
export interface ReservedListener {
  readonly port: number;
  activate(instance: ImdsInstance): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** An address as it goes in a URL. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Each registered instance's IMDS on its own port (as each EC2 instance has its own 169.254.169.254): started for
 * every registered instance when the node starts, for a new one when it registers, closed when it is deregistered.
 */
export class ImdsListeners {
  private readonly servers = new Map<string, Server>();
  private closed = false;

  constructor(
    private readonly deps: { readonly store: Store; readonly source: CredentialSource; readonly clock: () => Date; readonly logger: Logger; readonly options: ImdsOptions },
  ) {}

  endpoint(port: number): string {
    // With the trailing slash: the AWS CLI v2 appends `latest/api/token` to the variable as it is.
    return `http://${urlHost(this.deps.options.host)}:${port}/`;
  }

  /** Serves every registered instance again, each on the port it had; one whose port is taken is reported and skipped. */
  async start(): Promise<void> {
    const { host } = this.deps.options;
    // A host this machine cannot listen on is the operator's to fix now, not a failure of every registration later.
    const probe = createServer();
    try {
      await listen(probe, 0, host);
    } catch (error) {
      throw new ConfigError(`cannot listen on the IMDS host ${host} (--imds-host): ${(error as Error).message}`);
    } finally {
      await closeServer(probe);
    }
    const entries = await this.deps.store.read(async (tx) => {
      const out: Array<{ instance: ImdsInstance; port: number }> = [];
      for (const index of await tx.list(KIND.instanceIndex, '')) {
        const record = await tx.get(KIND.ec2Instance, index.data['account'] as string, index.key);
        if (record === undefined) continue;
        out.push({ instance: { instanceId: record.key, httpTokens: record.data['httpTokens'] === 'optional' ? 'optional' : 'required' }, port: record.data['port'] as number });
      }
      return out;
    });
    for (const { instance, port } of entries) {
      const server = this.newServer(instance);
      if (await listen(server, port, host)) {
        this.servers.set(instance.instanceId, server);
      } else {
        this.deps.logger.warn({ instanceId: instance.instanceId, port }, `the IMDS port ${port} of instance ${instance.instanceId} is in use: the instance is not served by this node (deregister and register it again to give it another)`);
      }
    }
  }

  /** Binds a port for an instance about to be registered. */
  async reserve(): Promise<ReservedListener> {
    if (this.closed) throw new Error('the IMDS listeners are closed');
    let target: ImdsInstance | undefined;
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const server = createServer((req, res) => {
      if (handler !== undefined) return handler(req, res);
      req.resume();
      res.writeHead(503, { 'content-length': 0 }).end();
    });
    this.limit(server);
    const { host, basePort } = this.deps.options;
    let bound = false;
    if (basePort === 0) {
      bound = await listen(server, 0, host);
    } else {
      const taken = new Set(await this.deps.store.read(async (tx) => (await tx.list(KIND.instanceIndex, '')).map((r) => r.data['port'] as number)));
      for (let port = basePort; port < Math.min(basePort + PORT_RANGE, 65536) && !bound; port++) {
        if (!taken.has(port)) bound = await listen(server, port, host);
      }
    }
    if (!bound) throw new Error(basePort === 0 ? `no port could be bound on ${host}` : `no free port from ${basePort} to ${basePort + PORT_RANGE - 1} on ${host}`);
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      activate: (instance) => {
        target = instance;
        handler = createImdsHandler(target, { source: this.deps.source, clock: this.deps.clock, onGone: () => void this.stop(instance.instanceId) });
        this.servers.set(instance.instanceId, server);
        // The node was closing meanwhile: nothing may stay open after close().
        if (this.closed) void this.stop(instance.instanceId);
      },
      close: () => closeServer(server),
    };
  }

  /** Stops serving an instance (deregistered here, or found deregistered by another node). */
  async stop(instanceId: string): Promise<void> {
    const server = this.servers.get(instanceId);
    if (server === undefined) return;
    this.servers.delete(instanceId);
    this.deps.source.forget(instanceId, 'instance');
    await closeServer(server);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map(closeServer));
  }

  /** Ports this node serves, by instance (for tests and diagnostics). */
  served(): ReadonlyMap<string, number> {
    return new Map([...this.servers].map(([id, server]) => [id, (server.address() as AddressInfo | null)?.port ?? 0]));
  }

  private newServer(instance: ImdsInstance): Server {
    const server = createServer(createImdsHandler(instance, { source: this.deps.source, clock: this.deps.clock, onGone: () => void this.stop(instance.instanceId) }));
    this.limit(server);
    return server;
  }

  /** IMDS requests are tiny: a client that dawdles is cut off rather than held. */
  private limit(server: Server): void {
    server.headersTimeout = 5000;
    server.requestTimeout = 10_000;
    server.keepAliveTimeout = 5000;
    server.maxHeadersCount = 50;
    server.maxConnections = 64;
  }
}
