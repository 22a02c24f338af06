// The scenario file's JSON Schema (draft-07, checked with ajv). YAML and JSON
// files are read into the same shape; docs/scenarios.md describes each field.

const link = {
  type: 'object', additionalProperties: false,
  description: 'each device<->gateway link, both directions',
  properties: {
    lossPercent: { type: 'number', minimum: 0, maximum: 100, description: 'frames lost on the air, each direction (before MAC retransmission)' },
    delayMs: { type: 'number', minimum: 0, maximum: 10_000, description: 'propagation and processing delay of each frame' },
  },
};

const publish = {
  type: 'object', additionalProperties: false,
  properties: {
    qos: { enum: [0, 1, 2] },
    retain: { type: 'boolean' },
  },
};

export const SENSOR_PATHS = ['/sensors/temperature', '/sensors/humidity'] as const;
export const ACTUATOR_PATHS = ['/actuators/relay'] as const;

export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'sixlab scenario',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'duration', 'topology', 'traffic', 'assertions'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', examples: ['telemetry'] },
    description: { type: 'string' },
    duration: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, description: 'seconds of traffic, once the fleet has joined' },
    drain: { type: 'number', minimum: 0, maximum: 600, description: 'seconds to wait after the traffic for messages still on their way (default 10)' },
    seed: { type: 'integer', minimum: 0, description: 'seeds the medium and the devices (default 1): a run repeats' },
    workers: { type: 'integer', minimum: 1, maximum: 256, description: 'worker threads for the fleet (default: one per core)' },
    topology: {
      type: 'object', additionalProperties: false, required: ['devices'],
      properties: {
        board: { enum: ['virtual'], description: 'the kind of device: virtual (the core as a 6LoWPAN-ND host on the simulated medium)' },
        devices: { type: 'integer', minimum: 1, maximum: 100_000 },
        cellSize: { type: 'integer', minimum: 1, maximum: 1000, description: 'devices per cell (default 25): a cell is a channel of its own with the gateway\'s radio in it' },
        powerOnS: { type: 'number', minimum: 0, maximum: 3600, description: 'devices power on at random moments over this many seconds (default: 1 s per 200 devices)' },
        pan: { type: 'string', pattern: '^0x[0-9a-fA-F]{1,4}$', examples: ['0xabcd'] },
        link,
        cells: {
          type: 'array', maxItems: 10_000,
          description: 'settings of the first cells, in order; the others take the defaults',
          items: {
            type: 'object', additionalProperties: false,
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', examples: ['line-1'] },
              prefix: { type: 'string', pattern: '^[0-9a-fA-F:]+/64$', examples: ['2001:db8:0:1::/64'] },
              link,
            },
          },
        },
      },
    },
    traffic: {
      type: 'object', additionalProperties: false,
      properties: {
        observe: {
          type: 'array', uniqueItems: true,
          items: {
            type: 'object', additionalProperties: false, required: ['path', 'rate'],
            properties: {
              path: { enum: [...SENSOR_PATHS] },
              rate: { type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'readings per second per device (each one a notification)' },
            },
          },
        },
        commands: {
          type: 'array', uniqueItems: true,
          items: {
            type: 'object', additionalProperties: false, required: ['path', 'rate'],
            properties: {
              path: { enum: [...ACTUATOR_PATHS] },
              method: { enum: ['PUT', 'POST'] },
              rate: { type: 'number', exclusiveMinimum: 0, maximum: 100, description: 'commands per second per device, published on .../set' },
            },
          },
        },
      },
    },
    mqtt: {
      type: 'object', additionalProperties: false,
      properties: {
        prefix: { type: 'string', pattern: '^[^/#+\\s][^#+\\s]*[^/#+\\s]$|^[^/#+\\s]$', examples: ['sixlab/telemetry'] },
        telemetry: publish,
        results: publish,
        commands: { type: 'object', additionalProperties: false, properties: { qos: { enum: [0, 1, 2] } } },
        broker: {
          type: 'object', additionalProperties: false, description: 'the embedded broker (aedes) when no --mqtt-url is given',
          properties: {
            host: { type: 'string', minLength: 1, examples: ['::1'] },
            port: { type: 'integer', minimum: 0, maximum: 65535, description: '0: any free port' },
          },
        },
      },
    },
    assertions: {
      type: 'object', additionalProperties: false, minProperties: 1,
      properties: {
        minDeliveryRatio: { type: 'number', minimum: 0, maximum: 1, description: 'messages delivered / messages sent, at least' },
        maxP50LatencyMs: { type: 'number', exclusiveMinimum: 0 },
        maxP99LatencyMs: { type: 'number', exclusiveMinimum: 0 },
        noDuplicates: { type: 'boolean' },
        maxRegistrationS: { type: 'number', exclusiveMinimum: 0, description: 'every device registered within this many seconds of the start' },
      },
    },
  },
} as const;
