import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EdgeRefusal, parameterLengthMax, parametersFault, readJsonBody } from './body';
import { bounded, problem } from './problem';
import { sendProblem } from './respond';

/**
 * Fastify's side of the edge: the one body parser, the parameter check before every route, and
 * problem+json for what Fastify and Node refuse themselves (a bad URL, an oversized header), which
 * they would otherwise answer in their own shape, quoting the URL.
 */

/** Bytes that are not UTF-8 are refused, not silently turned into U+FFFD inside a name. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON is the only body the API reads; any other content type is 415 (Fastify's own answer). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      done(new EdgeRefusal({ code: 'bad_request', detail: 'The body is not valid UTF-8; send JSON encoded as UTF-8.' }), undefined);
      return;
    }
    const reading = readJsonBody(text);
    if (reading.ok) done(null, reading.value);
    else done(new EdgeRefusal(reading), undefined);
  });
}

/** Path parameters and query values, checked before authentication and before the route runs. */
export function registerParameterCheck(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    // An unknown route's whole path is its wildcard parameter; it gets its 404, which reads nothing.
    if (request.is404) return;
    const fault = parametersFault(request.params, request.query);
    if (fault !== undefined) throw new EdgeRefusal(fault);
  });
}

/** What the router refuses before any route or hook (Fastify's `frameworkErrors`). */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      sendProblem(reply, 'url_malformed', 'The URL path is not valid percent-encoded UTF-8; encode each path segment once.');
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      sendProblem(reply, 'string_too_long', `A path parameter is longer than ${parameterLengthMax} characters, longer than any id or name; check the URL.`);
      return;
    default:
      sendProblem(reply, 'bad_request', `The request could not be routed: ${bounded(error.message)}`);
  }
}

/**
 * Requests Node's HTTP parser cannot read (Fastify's `clientErrorHandler`). There is no request to
 * answer through, so the problem is written to the socket as Fastify's default handler does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('headers_too_large', 'The URL and headers are larger than the server reads; send ids in the path and data in the body.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('request_timeout', 'The request did not arrive in time; send it again.')
        : problem('bad_request', 'The request is not valid HTTP/1.1.');
  const body = JSON.stringify(answer);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
