import { Lifecycler } from './lifecycler.js';
import { RingClient } from './ring.js';
import { memoryRingKV, RingStore } from './store.js';

export interface LocalRing {
  store: RingStore;
  lifecycler: Lifecycler;
  ring: RingClient;
  /** Leaves the ring (running `flush` while LEAVING) and stops polling. */
  stop(flush?: () => Promise<void>): Promise<void>;
}

/**
 * A ring of one in this process (the `all` target): an in-memory store, this process registered
 * ACTIVE under `name`, and a client with replication factor 1.
 */
export async function startLocalRing(opts: {
  name: string;
  id: string;
  addr: string;
  zone?: string;
  store?: RingStore;
}): Promise<LocalRing> {
  const store = opts.store ?? new RingStore(memoryRingKV());
  const lifecycler = new Lifecycler({
    store,
    ringName: opts.name,
    id: opts.id,
    addr: opts.addr,
    ...(opts.zone === undefined ? {} : { zone: opts.zone }),
  });
  await lifecycler.start();
  const ring = new RingClient(store, opts.name, { replicationFactor: 1 });
  await ring.start();
  return {
    store,
    lifecycler,
    ring,
    async stop(flush) {
      ring.stop();
      await lifecycler.leave(flush);
    },
  };
}
