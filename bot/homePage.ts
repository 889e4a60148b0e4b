/** Where `npm run dev` asks Agents Playground to listen; the Playground picks a free port when it is taken. */
export const DEFAULT_PLAYGROUND_PORT = 56150;

/** The page a run in `environment` answers on `GET /`: none in production, where nobody browses the bot. */
export function homePageFor(environment: 'development' | 'test' | 'production'): ((botUrl: string) => string) | undefined {
  return environment === 'production' ? undefined : localHomePage;
}

/**
 * What a local run answers on `GET /`: someone who opens the bot's address in a browser learns
 * what it is and how to talk to it. Production has no page there (404).
 */
export function localHomePage(botUrl: string): string {
  const playground = `http://localhost:${DEFAULT_PLAYGROUND_PORT}`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>LOA bot (local run)</title></head>
<body style="font-family: sans-serif; max-width: 42em; margin: 2em auto; line-height: 1.5">
<h1>LOA bot, running locally</h1>
<p>The Microsoft Teams bot that lets sales reps send Letters of Agreement. It talks to a chat client, not to a browser:
Bot Framework activities go to <code>POST ${botUrl}/api/messages</code>.</p>
<h2>Talk to it</h2>
<ul>
<li>Started with <code>npm run dev</code>: open the Agents Playground URL it printed,
<a href="${playground}">${playground}</a> unless that port was taken, and type <b>send LOA</b> or <b>help</b>.</li>
<li>Started with <code>npm start</code>: stop it (Ctrl-C) and run <code>npm run dev</code>, which starts the bot,
the LOA sandbox and Microsoft 365 Agents Playground together.</li>
</ul>
<p><a href="/healthz">/healthz</a> answers <code>{"status":"ok","inFlightTurns":0}</code> while the bot is up.</p>
</body>
</html>
`;
}
