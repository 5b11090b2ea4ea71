//! Which peers may say who the client is. Behind a reverse proxy every
//! request comes from the proxy's address, and the proxy names the client in
//! `X-Forwarded-For`. That header is honoured only from the proxies the
//! operator lists (`trusted_proxies`); from anyone else it is a claim the
//! client makes about itself, and believing it would let a client escape the
//! limits kept per address (query password guesses, anonymous submissions)
//! and write any address into the audit trail.

use std::net::IpAddr;

/// An address or a network (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for ProxyNet {
    type Err = String;

    fn from_str(s: &str) -> Result<ProxyNet, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("{s:?} is not an IP address or network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("{s:?}: the prefix length must be 0 to {max}")),
            },
        };
        Ok(ProxyNet { addr, prefix })
    }
}

impl ProxyNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may be seen as IPv6-mapped (a dual-stack listener).
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            ip => ip,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses a comma-separated list of addresses and networks (the
/// `ZWFW_TRUSTED_PROXIES` form).
pub fn parse_list(s: &str) -> Result<Vec<ProxyNet>, String> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::parse).collect()
}

/// The client's address: the peer's, unless the peer is a trusted proxy,
/// then the right-most address of `X-Forwarded-For` that is not a trusted
/// proxy (the addresses left of it were written by the client itself).
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[ProxyNet]) -> Option<IpAddr> {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let peer = peer?;
    let Some(header) = forwarded_for.filter(|_| is_trusted(peer)) else { return Some(peer) };
    let mut client = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            // Not an address: what lies left of it cannot be believed.
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_are_parsed_and_matched() {
        let n: ProxyNet = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.20.0.8")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "IPv4 seen as IPv6-mapped");
        let one: ProxyNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: ProxyNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")) && !v6.contains(ip("10.0.0.1")));
        let all: ProxyNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        assert!("10.0.0.0/33".parse::<ProxyNet>().is_err());
        assert!("proxy.local".parse::<ProxyNet>().is_err());
        assert_eq!(parse_list(" 10.0.0.0/8, ::1 ,").unwrap().len(), 2);
        assert!(parse_list("10.0.0.1,x").unwrap_err().contains("\"x\""));
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let peer = Some(ip("203.0.113.9"));
        // From anyone else the header is ignored.
        assert_eq!(client_ip(peer, Some("1.2.3.4"), &trusted), peer);
        assert_eq!(client_ip(peer, Some("1.2.3.4"), &[]), peer);
        // From a trusted proxy: the right-most address it did not add itself.
        let proxy = Some(ip("10.0.0.5"));
        assert_eq!(client_ip(proxy, Some("198.51.100.7"), &trusted), Some(ip("198.51.100.7")));
        assert_eq!(client_ip(proxy, Some("6.6.6.6, 198.51.100.7, 10.0.0.6"), &trusted), Some(ip("198.51.100.7")));
        // A forged or broken entry ends the walk.
        assert_eq!(client_ip(proxy, Some("6.6.6.6, garbage"), &trusted), proxy);
        assert_eq!(client_ip(proxy, None, &trusted), proxy);
        assert_eq!(client_ip(None, Some("1.2.3.4"), &trusted), None);
    }
}
