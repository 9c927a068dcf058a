/**
 * The console's only way to the server: the AdminService client generated from
 * proto/cortex/admin/v1/admin.proto, over the Connect protocol on this page's origin.
 */
import { type Client, createClient, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { AdminService } from '../../gen/cortex/admin/v1/admin_pb.js';

export type Admin = Client<typeof AdminService>;

/** A client that sends `token` as the bearer credential on every call. */
export function adminClient(token: string, baseUrl = window.location.origin): Admin {
  const auth: Interceptor = (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
  return createClient(AdminService, createConnectTransport({ baseUrl, interceptors: [auth] }));
}
