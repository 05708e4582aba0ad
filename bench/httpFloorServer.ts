/**
 * The HTTP floor of `npm run bench:gateway`: a bare Node `http` server in one process that reads
 * the whole request body and answers a small fixed KServe-v2-shaped JSON. No routing, no parsing,
 * no model: what any Node HTTP server pays per request. Usage: httpFloorServer.ts <port>
 */
import http from 'node:http';

const answer = Buffer.from(
  JSON.stringify({ model_name: 'floor', outputs: [{ name: 'logits', datatype: 'FP32', shape: [1, 10], data: new Array(10).fill(0.1) }] }),
);

const server = http.createServer((request, response) => {
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log(`http floor listening on ${process.argv[2]}`));
