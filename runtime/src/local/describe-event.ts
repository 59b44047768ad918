import type { SupervisorEvent } from './supervisor';

/** What the supervisor saw, as a sentence: its log's message, and (with a mark) a terminal's line. */
export function eventSentence(event: SupervisorEvent): string {
  switch (event.type) {
    case 'spawn':
      return `started ${event.name} (pid ${event.pid})`;
    case 'spawn-error':
      return `${event.name} could not start: ${event.message}`;
    case 'exit': {
      const how = event.exit.signal ? `killed by ${event.exit.signal}` : `exited with code ${event.exit.code}`;
      const next = event.restartInMs === null ? '' : `; restarting in ${event.restartInMs} ms`;
      return `${event.name} ${how}${next}`;
    }
  }
}

/** An exit that needs a restart is a warning; one while stopping is not. */
export function eventLevel(event: SupervisorEvent): 'info' | 'warn' | 'error' {
  if (event.type === 'spawn-error') return 'error';
  return event.type === 'exit' && event.restartInMs !== null ? 'warn' : 'info';
}

/** One line for a terminal about something the supervisor saw (a start is not news). */
export function describeEvent(event: SupervisorEvent): string | undefined {
  if (event.type === 'spawn') return undefined;
  return `${event.type === 'spawn-error' ? '✗' : '!'} ${eventSentence(event)}`;
}
