// IPv6 Next Header values used here (IANA "Assigned Internet Protocol Numbers").
export const IpProtocol = {
  HopByHop: 0, // RFC 8200 §4.3
  Udp: 17, // RFC 768
  Routing: 43, // RFC 8200 §4.4
  Fragment: 44, // RFC 8200 §4.5
  Icmpv6: 58, // RFC 4443
  NoNextHeader: 59, // RFC 8200 §4.7
  DestinationOptions: 60, // RFC 8200 §4.6
} as const;
