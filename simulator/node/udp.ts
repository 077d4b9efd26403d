/** UDP socket chores shared by the simulator's servers. */
import type dgram from "node:dgram";

/** Bind `socket` and resolve with the port it got (an error binding rejects, e.g. the port is taken). */
export function bindUdp(socket: dgram.Socket, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve(socket.address().port);
    });
  });
}
