import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
import { defineFunction } from "@kinetic/runtime";

/** A function whose setup always throws, as one with a bad configuration does: it never gets ready. */
export default defineFunction({
  name: "broken",
  description: "fails to start, for the activator's tests",
  services: [EchoService],
  setup: () => {
    throw new TypeError("BROKEN_SETTING must be set");
  },
});
