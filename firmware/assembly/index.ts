// sixlab-core: the module's exports (docs/core-abi.md): the part-1 codec and
// address functions, and the node.
export * from './abi-codec';
export * from './abi-node';
