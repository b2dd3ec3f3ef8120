// Builds (or finds, by content hash) every image of the compose core profile: the local base
// images, then the Node components from the repo's Dockerfile. `make test-containers` runs this
// first, under the podman build lock at low priority, so the test itself only starts containers.
// Then removes older tags of these images (pruneStaleImages). Prints the build's duration; exits
// non-zero with podman's output tail if a build fails.
import {
  buildImages,
  CORE_ENV_FILE,
  composeConfig,
  coreServices,
  localBase,
  pruneStaleImages,
} from './podman-compose.ts';

const t0 = Date.now();
const log = (line: string) => process.stderr.write(`[images] ${line}\n`);
const compose = await composeConfig(CORE_ENV_FILE);
const base = await localBase();
log(`base images ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const images = await buildImages(compose, coreServices(compose), base, log);
for (const [service, image] of Object.entries(images)) log(`${service}: ${image}`);
log(`all images ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
await pruneStaleImages(Object.values(images), log);
