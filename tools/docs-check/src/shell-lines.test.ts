import { describe, expect, it } from 'vitest'
import { commandKind, isAssignmentLine, isBrokerLine, lineKind, needsBroker, shellLines, simpleCommands, stripComment, tokenize, tributarySubcommand } from './shell-lines.ts'

describe('shell lines', () => {
  it('joins continuations, drops comments, and takes comment lines under a command as its output', () => {
    const code = [
      'tributary broker --data-dir ./data \\',
      '  -c listeners=PLAINTEXT://127.0.0.1:9092 \\',
      '  -c authorizer.enabled=true   # a comment',
      '# Tributary broker listening on 127.0.0.1:9092 (data: ./data)',
      '',
      '# a comment on its own, after a blank line',
      "printf 'a # not a comment\\n' > lines.txt   # but this is",
      'npm run bench -w @tributary/broker     # or: npm run bench -- --only broker',
    ].join('\n')
    expect(shellLines(code, 10)).toEqual([
      {
        line: 11,
        text: 'tributary broker --data-dir ./data -c listeners=PLAINTEXT://127.0.0.1:9092 -c authorizer.enabled=true',
        expected: ['Tributary broker listening on 127.0.0.1:9092 (data: ./data)'],
      },
      { line: 17, text: "printf 'a # not a comment\\n' > lines.txt", expected: [] },
      { line: 18, text: 'npm run bench -w @tributary/broker', expected: [] },
    ])
  })

  it('strips a trailing comment only where # starts a word outside quotes', () => {
    expect(stripComment('kcat -X sasl.password="$P#1" -L # list')).toBe('kcat -X sasl.password="$P#1" -L')
    expect(stripComment("echo 'x#y' a#b")).toBe("echo 'x#y' a#b")
    expect(stripComment('echo \\# not # yes')).toBe('echo \\# not')
  })

  it('tokenizes words and operators, removing quotes', () => {
    expect(tokenize(`printf 'c-1:{"total":5}\\n' | tributary produce orders --key-separator :`)).toEqual([
      { word: 'printf' },
      { word: 'c-1:{"total":5}\\n' },
      { op: '|' },
      { word: 'tributary' },
      { word: 'produce' },
      { word: 'orders' },
      { word: '--key-separator' },
      { word: ':' },
    ])
    expect(tokenize('a && b>out 2>&1; c "d \\"e\\" $F" x\\ y')).toEqual([
      { word: 'a' },
      { op: '&&' },
      { word: 'b' },
      { op: '>' },
      { word: 'out' },
      { op: '2>&1' },
      { op: ';' },
      { word: 'c' },
      { word: 'd "e" $F' },
      { word: 'x y' },
    ])
  })

  it('splits simple commands, with their assignments and redirections', () => {
    expect(simpleCommands('TRIBUTARY_DEMO_BREAK=retention npm run demo')).toEqual([
      { assignments: [{ name: 'TRIBUTARY_DEMO_BREAK', value: 'retention' }], words: ['npm', 'run', 'demo'], redirects: [] },
    ])
    expect(simpleCommands('npm install && npm run demo').map((c) => c.words)).toEqual([
      ['npm', 'install'],
      ['npm', 'run', 'demo'],
    ])
    expect(simpleCommands('cat broker.key broker.crt > broker.pem')).toEqual([{ assignments: [], words: ['cat', 'broker.key', 'broker.crt'], redirects: ['broker.pem'] }])
  })

  it('classifies commands as run or checked', () => {
    const kind = (text: string) => simpleCommands(text).map(commandKind)
    expect(kind('npx tributary broker --port 9092')).toEqual(['tributary'])
    expect(kind("printf 'x\\n' | tributary produce orders")).toEqual(['shell', 'tributary'])
    expect(kind('npm install -g @tributary/cli')).toEqual(['npm-install'])
    expect(kind('npm test -w @tributary/docs-check')).toEqual(['npm-script'])
    expect(kind('npx tsc -p tsconfig.json && npx vitest run test/reliability*')).toEqual(['npx-tsc', 'npx-vitest'])
    expect(kind('node --conditions=source --import tsx fuzz/run.ts --frames 1')).toEqual(['node'])
    expect(kind('cd packages/broker')).toEqual(['cd'])
    expect(kind('export A="$B"')).toEqual(['assignment'])
    expect(kind("as_admin='-b localhost:9094'")).toEqual(['assignment'])
    expect(kind('openssl req -x509')).toEqual(['shell'])

    expect(lineKind('npm install && npm run demo')).toBe('check')
    expect(lineKind('kcat -b localhost:9094 -L')).toBe('run')
    expect(() => lineKind('npm install && tributary topics list')).toThrow(/mixes/)
    expect(isAssignmentLine('export TRIBUTARY_SASL_PASSWORD="$ADMIN_PASSWORD"')).toBe(true)
    expect(isAssignmentLine('A=1 tributary topics list')).toBe(false)
  })

  it('tells broker lines and lines that need a broker', () => {
    expect(tributarySubcommand(simpleCommands('npx tributary broker')[0]!)).toBe('broker')
    expect(isBrokerLine('tributary broker --data-dir ./data')).toBe(true)
    expect(needsBroker('tributary broker --data-dir ./data')).toBe(false)
    expect(needsBroker('tributary topics list')).toBe(true)
    expect(needsBroker('tributary topics --help')).toBe(false)
    expect(needsBroker("printf 'x' | tributary produce orders")).toBe(true)
    expect(needsBroker('kcat -b localhost:9094 -L')).toBe(true)
    expect(needsBroker('openssl req -x509')).toBe(false)
  })
})
