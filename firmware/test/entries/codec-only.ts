// The part-1 codec on its own (802.15.4, 6LoWPAN, IPHC/NHC, fragmentation,
// addresses), compiled with the release flags, so its size can be held to its
// own budget (16 KiB) while the node grows around it.
export {
  abi_version, buffer_in, buffer_out, tx_params, info, packet, reset, context_set, context_clear,
  compress, decode, poll, counter, addr_parse, addr_format, addr_class, addr_solicited_node,
  addr_common_prefix, iid_from_link,
} from '../../assembly/abi-codec';
