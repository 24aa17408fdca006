/**
 * The few Kubernetes API calls test/cluster makes (node and pod reads, creates, patches, evictions), over HTTPS to
 * the loopback apiserver with a bearer token. Errors carry the apiserver's Status message.
 */
import * as https from "node:https";

export interface Response {
  status: number;
  body: any;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: any,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body?.message ?? JSON.stringify(body)}`);
  }
}

export class Kube {
  // The apiserver's self-signed serving certificate (--cert-dir), on 127.0.0.1 only.
  private readonly agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });

  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  raw(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response> {
    const url = new URL(path, this.server);
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: "application/json",
            ...(data ? { "content-type": contentType, "content-length": Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => {
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Plain-text endpoints (/readyz).
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  }

  private async call(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
    const r = await this.raw(method, path, body, contentType);
    if (r.status >= 300) throw new ApiError(r.status, r.body, `${method} ${path}`);
    return r.body;
  }

  get = (path: string) => this.call("GET", path);
  create = (path: string, body: unknown) => this.call("POST", path, body);
  delete = (path: string) => this.call("DELETE", path);
  /** JSON merge patch. */
  patch = (path: string, body: unknown) => this.call("PATCH", path, body, "application/merge-patch+json");

  async list(path: string, selector?: { label?: string; field?: string }): Promise<any[]> {
    const q = new URLSearchParams();
    if (selector?.label) q.set("labelSelector", selector.label);
    if (selector?.field) q.set("fieldSelector", selector.field);
    const body = await this.get(`${path}${q.size ? `?${q}` : ""}`);
    return body.items;
  }

  /** Creates the object at `path`, or leaves an existing one as it is. */
  async ensure(path: string, body: unknown): Promise<void> {
    const r = await this.raw("POST", path, body);
    if (r.status >= 300 && r.status !== 409) throw new ApiError(r.status, r.body, `POST ${path}`);
  }

  /**
   * The Eviction API, as `kubectl drain` uses it: the apiserver refuses (429) when the pod's PodDisruptionBudget
   * allows no more disruptions. Returns the HTTP status, 201 when the pod is evicted.
   */
  async evict(namespace: string, pod: string): Promise<Response> {
    return this.raw("POST", `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: pod, namespace },
    });
  }
}
