/** A configuration that cannot be served: its message is the one line `gatehouse serve` prints before exiting. */
export class ConfigError extends Error {}
