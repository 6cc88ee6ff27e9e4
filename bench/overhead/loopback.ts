// Preload (NODE_OPTIONS=--import) that binds a server asked to listen on "any address" to 127.0.0.1 instead.
// Portkey's CLI takes --port but no host and listens on every interface; the benchmark stays on loopback.
import net from "node:net";

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;
const listen = net.Server.prototype.listen as Listen;

(net.Server.prototype as { listen: Listen }).listen = function (this: net.Server, ...args: unknown[]): net.Server {
  // listen(port), listen(port, callback), listen(port, undefined, …): no host given.
  if (typeof args[0] === "number" && typeof args[1] !== "string") {
    if (args.length > 1 && args[1] === undefined) args[1] = "127.0.0.1";
    else args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
