import { KafkaError } from '@tributary/protocol'

/** Kafka's security protocols: whether a listener uses TLS and whether it requires SASL. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number]

/** One listener as configured: where it binds and what it tells clients. */
export interface ListenerConfig {
  /** The listener name (`PLAINTEXT`, `SASL_SSL`, or a name mapped in `listener.security.protocol.map`), upper case. */
  name: string
  securityProtocol: SecurityProtocol
  /** The bind address; `0.0.0.0` for Kafka's empty host (every interface). */
  host: string
  /** 0 binds any free port. */
  port: number
  /** The host Metadata, FindCoordinator and DescribeCluster give clients that connected here. */
  advertisedHost: string
  /** The port advertised; 0 means the port actually bound. */
  advertisedPort: number
}

/** What listener resolution starts from. */
export interface ListenerInput {
  /** `listeners` (the option, else the config): `NAME://host:port` entries. */
  listeners: string[] | string | undefined
  advertisedListeners: string[] | string | undefined
  /** `listener.security.protocol.map`: `NAME:PROTOCOL` pairs, comma-separated, or a record. */
  protocolMap: string | Record<string, string> | undefined
  /** The single PLAINTEXT listener used when `listeners` is not given. */
  host: string
  port: number
  /** Advertised host of listeners without an `advertised.listeners` entry (the `advertisedHost` option). */
  advertisedHost: string | undefined
}

/** Kafka's default `listener.security.protocol.map`: each protocol's own name. */
export const DEFAULT_PROTOCOL_MAP = 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'

const ENTRY = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[0-9A-Fa-f:.]*\]|[^:/[\]\s]*):(\d{1,5})$/

function invalid(option: string, value: unknown, allowed: string): KafkaError {
  return new KafkaError(`Invalid broker option ${option}: ${JSON.stringify(value)}; expected ${allowed}`, { code: 'INVALID_CONFIG' })
}

/** Whether a host is a wildcard bind address. */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]'
}

function entries(value: string[] | string, option: string): string[] {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(option, value, 'an array of "NAME://host:port" strings, or one comma-separated string')
  return value.map((s) => s.trim())
}

function parseEntry(text: string, option: string): { name: string; host: string; port: number } {
  const m = ENTRY.exec(text)
  const port = m ? Number(m[3]) : -1
  if (!m || port > 65535) throw invalid(option, text, 'NAME://host:port, such as PLAINTEXT://127.0.0.1:9092, SASL_SSL://:9094 or SSL://[::1]:9093 (port 0 picks a free port)')
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!
  return { name: m[1]!.toUpperCase(), host, port }
}

function parseProtocolMap(map: string | Record<string, string> | undefined): Map<string, SecurityProtocol> {
  const pairs: [string, string][] =
    map === undefined || typeof map === 'string'
      ? (map ?? DEFAULT_PROTOCOL_MAP)
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((s) => {
            const at = s.indexOf(':')
            return [s.slice(0, at < 0 ? s.length : at), at < 0 ? '' : s.slice(at + 1)]
          })
      : Object.entries(map)
  const out = new Map<string, SecurityProtocol>()
  for (const [name, protocol] of pairs) {
    const p = protocol.trim().toUpperCase()
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(p) || name.trim() === '') {
      throw invalid('listener.security.protocol.map', `${name}:${protocol}`, `NAME:PROTOCOL pairs, the protocol one of ${SECURITY_PROTOCOLS.join(', ')}`)
    }
    out.set(name.trim().toUpperCase(), p as SecurityProtocol)
  }
  return out
}

/**
 * Resolves the listeners, Kafka's way: `listeners` lists `NAME://host:port` entries (an empty host
 * binds every interface; port 0 any free port); each name maps to a security protocol through
 * `listener.security.protocol.map` (by default the protocol names map to themselves);
 * `advertised.listeners` says, per listener name, what to tell clients that connected through it.
 * Without `listeners`, one PLAINTEXT listener on `host:port`.
 *
 * @throws KafkaError `INVALID_CONFIG` naming the entry and what is allowed: a malformed entry, a
 * name used twice, a name without a protocol, two listeners on one port, an advertised entry for
 * an unknown listener or with a wildcard host.
 */
export function resolveListeners(input: ListenerInput): ListenerConfig[] {
  const protocols = parseProtocolMap(input.protocolMap)
  const defaultAdvertised = (host: string) => input.advertisedHost ?? (isWildcardHost(host) ? 'localhost' : host)
  if (input.listeners === undefined) {
    return [{ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: input.host, port: input.port, advertisedHost: defaultAdvertised(input.host), advertisedPort: 0 }]
  }
  const listed = entries(input.listeners, 'listeners').map((e) => parseEntry(e, 'listeners'))
  if (listed.length === 0) throw invalid('listeners', input.listeners, 'at least one NAME://host:port entry')
  const seen = new Set<string>()
  const ports = new Map<number, string>()
  const listeners = listed.map((l): ListenerConfig => {
    if (seen.has(l.name)) throw invalid('listeners', input.listeners, `each listener name once; ${l.name} appears twice`)
    seen.add(l.name)
    if (l.port !== 0 && ports.has(l.port)) throw invalid('listeners', input.listeners, `a port per listener; ${ports.get(l.port)} and ${l.name} both use ${l.port}`)
    if (l.port !== 0) ports.set(l.port, l.name)
    const securityProtocol = protocols.get(l.name)
    if (!securityProtocol) throw invalid('listeners', l.name, `a listener name with a security protocol; name one of ${SECURITY_PROTOCOLS.join(', ')}, or add ${l.name}:<protocol> to listener.security.protocol.map`)
    const host = isWildcardHost(l.host) ? (l.host === '::' ? '::' : '0.0.0.0') : l.host
    return { name: l.name, securityProtocol, host, port: l.port, advertisedHost: defaultAdvertised(l.host), advertisedPort: 0 }
  })
  if (input.advertisedListeners !== undefined) {
    for (const a of entries(input.advertisedListeners, 'advertised.listeners').map((e) => parseEntry(e, 'advertised.listeners'))) {
      const target = listeners.find((l) => l.name === a.name)
      if (!target) throw invalid('advertised.listeners', a.name, `names of listeners in listeners (${listeners.map((l) => l.name).join(', ')})`)
      if (isWildcardHost(a.host)) throw invalid('advertised.listeners', `${a.name}://${a.host}:${a.port}`, 'a host name or address clients can connect to, not a wildcard')
      target.advertisedHost = a.host
      target.advertisedPort = a.port
    }
  }
  return listeners
}

/** `host:port`, with IPv6 hosts in brackets (`[::1]:9092`). */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** `NAME://host:port` for a listener, for logs and DescribeConfigs. */
export function formatListener(name: string, host: string, port: number): string {
  return `${name}://${formatAddress(host, port)}`
}
