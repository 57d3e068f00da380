import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pom = join(root, "local-dev/kafka/pom.xml");

/** The broker jars of one Kafka version, ready to run with `java -cp`. */
export interface KafkaDistribution {
  /** The Kafka version, e.g. "4.4.0". */
  readonly version: string;
  /** Java class path holding kafka.Kafka, kafka.tools.StorageTool and their dependencies. */
  readonly classpath: string;
  /** `<cacheDir>/<version>`: holds `libs/` and the broker's class-data archive. */
  readonly home: string;
}

export interface FetchKafkaOptions {
  /** Kafka version to fetch. Default: the `kafka.version` pinned in local-dev/kafka/pom.xml. */
  version?: string;
  /** Cache root; the jars land in `<cacheDir>/<version>/libs`. Default `<repo>/.cache/kafka`. */
  cacheDir?: string;
  /** The Maven executable. Default "mvn". */
  mvn?: string;
  /** Receives a line when Maven has to run. Default: nothing is printed. */
  log?: (line: string) => void;
}

/** The version pinned in local-dev/kafka/pom.xml, the one place to change it. Internal. */
function pinnedKafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, "utf8"))?.[1];
  if (version === undefined) throw new Error(`${pom} has no <kafka.version> property`);
  return version;
}

/**
 * Copies the Kafka broker jars with their runtime dependencies from Maven Central (through the
 * user's ~/.m2) into the project cache, once per version: a later call finds the marker file
 * written after a complete copy and returns without running Maven.
 *
 * @example
 * const { classpath } = await fetchKafka();
 */
export async function fetchKafka({ version = pinnedKafkaVersion(), cacheDir = join(root, ".cache/kafka"), mvn = "mvn", log = () => {} }: FetchKafkaOptions = {}): Promise<KafkaDistribution> {
  const home = join(cacheDir, version);
  const libs = join(home, "libs");
  const marker = join(home, "libs.complete");
  const distribution = { version, home, classpath: join(libs, "*") };
  if (await isComplete(libs, marker)) return distribution;

  // Maven copies into a private folder first, so a concurrent or interrupted fetch never leaves
  // a half-filled libs/ that looks usable.
  const staging = join(home, `libs.${process.pid}.tmp`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  log(`fetching Kafka ${version} from Maven Central into ${libs}`);
  const args = ["-B", "-q", "-Dstyle.color=never", "-f", pom, "dependency:copy-dependencies", `-Dkafka.version=${version}`, "-DincludeScope=runtime", `-DoutputDirectory=${staging}`];
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(mvn, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err === null) return resolve();
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        const detail = missing ? `${mvn} was not found: install Maven 3` : `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, "").trim();
        reject(new Error(`fetching Kafka ${version} with Maven failed: ${detail}`, { cause: err }));
      });
    });
    const jars = (await readdir(staging)).filter((name) => name.endsWith(".jar")).sort();
    if (!jars.some((name) => name.startsWith("kafka_2.13-"))) throw new Error(`Maven copied no kafka_2.13 jar for Kafka ${version}`);
    if (!(await isComplete(libs, marker))) {
      await rm(libs, { recursive: true, force: true });
      await rename(staging, libs);
      await writeFile(marker, `${jars.join("\n")}\n`);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return distribution;
}

/** Whether the marker exists and every jar it lists is in `libs`. Internal. */
async function isComplete(libs: string, marker: string): Promise<boolean> {
  const listed = await readFile(marker, "utf8").catch(() => "");
  const jars = listed.split("\n").filter((name) => name !== "");
  return jars.length > 0 && jars.every((name) => existsSync(join(libs, name)));
}
