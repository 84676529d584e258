/** Prompts on the terminal for `login`: a line, and a password read without echo. */

export async function readLine(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  return readUntilEnter(false);
}

export async function readPassword(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const line = await readUntilEnter(true);
  process.stdout.write("\n");
  return line;
}

function readUntilEnter(hidden: boolean): Promise<string> {
  const stdin = process.stdin;
  if (hidden) stdin.setRawMode(true);
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          stdin.off("data", onData);
          if (hidden) stdin.setRawMode(false);
          stdin.pause();
          return resolve(text);
        }
        if (char === "\x03") process.exit(130);
        if (char === "\x7f") text = text.slice(0, -1);
        else text += char;
      }
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}
