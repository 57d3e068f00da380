// The harness's settings: defaults, then environment variables, then flags (flags win).

/** Reads an integer >= `min` from `value`, or returns `fallback` when unset. */
function number(name, value, fallback, min) {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new TypeError(`${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
}

/** Reads a comma-separated list of integers >= `min` from `value`, or returns `fallback` when unset. */
function numbers(name, value, fallback, min) {
  if (value === undefined || value === "") return fallback;
  return value.split(",").map((item) => number(name, item.trim(), undefined, min));
}

/** Returns the value of `--name=value` in `argv`, or undefined. */
function flag(argv, name) {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

export const usage = `usage: npm run bench -- [flags]
  --quick            1 s warm-up, 3 s measured, 3 cold starts, 2 s priming, bursts of 1,000 events,
                     3 cold starts through the activator (smoke run)
  --duration=S       seconds measured per case and round  (env BENCH_DURATION, default 10)
  --warmup=S         seconds of discarded warm-up         (env BENCH_WARMUP, default 5)
  --connections=N    concurrent connections               (env BENCH_CONNECTIONS, default 50)
  --rounds=N         rounds of the throughput cases: each round measures every case once, on a
                     fresh process, so that a drifting machine weighs on all alike; the median
                     round is kept, and each ratio is the median of its rounds' ratios
                                                          (env BENCH_ROUNDS, default 3; 1 when quick)
  --cold-runs=N      cold starts per server               (env BENCH_COLD_RUNS, default 10)
  --rates=R,R        fixed rates of the echo chains, req/s (env BENCH_RATES, default 1000,200,50)
  --auth-rates=R,R   fixed rates of auth → identity       (env BENCH_AUTH_RATES, default 200,20)
  --chain-warmup=S   seconds discarded per chain and rate, and before the events' fixed rate
                                                          (env BENCH_CHAIN_WARMUP, default 3)
  --prime=S          seconds of load on each chain before its first rate, and events published
                     (event-rate × S, as a burst) on each events path before measuring
                                                          (env BENCH_PRIME, default 10; 0 = none)
  --event-burst=N    events in the burst of the events benchmark (env BENCH_EVENT_BURST, default 5000)
  --event-rate=R     fixed rate of the events benchmark, events/s (env BENCH_EVENT_RATE, default 100)
  --activator-cold-runs=N  cold starts per function through the emulator's activator, and as
                     many spawned directly (env BENCH_ACTIVATOR_COLD_RUNS, default 20)
  --idle-wait=S      longest wait for other work to stop before each server
                                                          (env BENCH_IDLE_WAIT, default 120; 0 = no wait)
  --only=A,B         only cases whose id contains A or B (with the baseline they are
                     compared against), e.g. --only=kinetic, --only=h2c-grpc,cold-start,
                     --only=chain (every chain), --only=chain:2-hops, --only=auth,
                     --only=events (raw kafkajs against the runtime's events path) or
                     --only=activator (the emulator: activator:cold, activator:load,
                     activator:memory) or --only=profile (CPU profiles and flame graphs of
                     Kinetic with its fast paths off and on: profile:connect-json-h1,
                     profile:grpc-h2c)
  --no-build         skip compiling proto/, shared/ and the functions to dist/
  --no-cold-start    skip the cold-start measurements
  --no-chain         skip the fixed-rate chains
  --no-events        skip the events benchmark
  --no-activator     skip the emulator benchmark
  --no-profile       skip the CPU profiles
  --update-doc       also rewrite the results section of BENCHMARKS.md (a partial run:
                     only the sections with markers of their own, the emulator's and the
                     profiles'), and publish the flame graphs to docs/perf/
  --install          apt-get install the missing load generators first`;

/** Builds the settings from the command line and the environment. */
export function benchOptionsFromArgs(argv, env) {
  const known = /^--(quick|no-build|no-cold-start|no-chain|no-events|no-activator|no-profile|update-doc|install|help|(duration|warmup|connections|rounds|cold-runs|rates|auth-rates|chain-warmup|prime|event-burst|event-rate|activator-cold-runs|idle-wait|only)=.*)$/;
  const unknown = argv.find((arg) => !known.test(arg));
  if (unknown !== undefined) throw new TypeError(`unknown flag ${unknown}\n${usage}`);
  const quick = argv.includes("--quick");
  return {
    help: argv.includes("--help"),
    quick,
    durationSeconds: number("duration", flag(argv, "duration") ?? env.BENCH_DURATION, quick ? 3 : 10, 1),
    warmupSeconds: number("warmup", flag(argv, "warmup") ?? env.BENCH_WARMUP, quick ? 1 : 5, 1),
    connections: number("connections", flag(argv, "connections") ?? env.BENCH_CONNECTIONS, 50, 1),
    rounds: number("rounds", flag(argv, "rounds") ?? env.BENCH_ROUNDS, quick ? 1 : 3, 1),
    coldStartRuns: number("cold-runs", flag(argv, "cold-runs") ?? env.BENCH_COLD_RUNS, quick ? 3 : 10, 1),
    rates: numbers("rates", flag(argv, "rates") ?? env.BENCH_RATES, [1000, 200, 50], 1),
    authRates: numbers("auth-rates", flag(argv, "auth-rates") ?? env.BENCH_AUTH_RATES, [200, 20], 1),
    chainWarmupSeconds: number("chain-warmup", flag(argv, "chain-warmup") ?? env.BENCH_CHAIN_WARMUP, quick ? 1 : 3, 1),
    primeSeconds: number("prime", flag(argv, "prime") ?? env.BENCH_PRIME, quick ? 2 : 10, 0),
    eventBurst: number("event-burst", flag(argv, "event-burst") ?? env.BENCH_EVENT_BURST, quick ? 1000 : 5000, 1),
    eventRate: number("event-rate", flag(argv, "event-rate") ?? env.BENCH_EVENT_RATE, 100, 1),
    activatorColdRuns: number("activator-cold-runs", flag(argv, "activator-cold-runs") ?? env.BENCH_ACTIVATOR_COLD_RUNS, quick ? 3 : 20, 1),
    idleWaitSeconds: number("idle-wait", flag(argv, "idle-wait") ?? env.BENCH_IDLE_WAIT, 120, 0),
    only: flag(argv, "only")?.split(",").filter(Boolean) ?? [],
    build: !argv.includes("--no-build"),
    coldStart: !argv.includes("--no-cold-start"),
    chains: !argv.includes("--no-chain"),
    events: !argv.includes("--no-events"),
    activator: !argv.includes("--no-activator"),
    profile: !argv.includes("--no-profile"),
    updateDoc: argv.includes("--update-doc"),
    install: argv.includes("--install"),
  };
}

/** True when `settings` measure everything at full length: the run that latest.json and BENCHMARKS.md's results section show. */
export function isCompleteRun(settings) {
  const { only, quick, coldStart, chains, events, activator, profile } = settings;
  return only.length === 0 && !quick && coldStart && chains && events && activator && profile;
}
