import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '@tributary/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { checkPlainUsersFile, parseAddScram, scramUsersOf } from './sasl-users.js'
import { toBrokerOptions, type BrokerCommandOptions } from './broker.js'

describe('parseAddScram', () => {
  it("reads kafka-storage's syntax", () => {
    expect(parseAddScram('SCRAM-SHA-256=[name=admin,password=admin-secret]', {})).toEqual({ mechanism: 'SCRAM-SHA-256', name: 'admin', password: 'admin-secret' })
    expect(parseAddScram(' scram-sha-512=[password=p=w]x,name=alice] ', {})).toEqual({ mechanism: 'SCRAM-SHA-512', name: 'alice', password: 'p=w]x' })
  })

  it('drops the double quotes around a value, as Kafka does, and keeps spaces inside it', () => {
    expect(parseAddScram('SCRAM-SHA-256=[name="bob",password=" two words "]', {})).toMatchObject({ name: 'bob', password: ' two words ' })
  })

  it('reads the password from the variable password-env names', () => {
    expect(parseAddScram('SCRAM-SHA-256=[name=admin,password-env=ADMIN_PASSWORD]', { ADMIN_PASSWORD: 'from-env' })).toMatchObject({ name: 'admin', password: 'from-env' })
  })

  it.each([
    ['admin', /^--add-scram: an entry is not MECHANISM=\[name=<user>,password=<password>\]; for example 'SCRAM-SHA-256=\[name=admin,password=admin-secret\]'$/],
    ['SCRAM-SHA-256=name=admin,password=x', /^--add-scram: an entry is not MECHANISM=\[name=<user>/],
    ['SCRAM-SHA-256=[name=admin,password=x', /^--add-scram: an entry is not MECHANISM=\[name=<user>/],
    ['SCRAM-SHA-1=[name=admin,password=x]', /unknown SCRAM mechanism "SCRAM-SHA-1"; expected SCRAM-SHA-256 or SCRAM-SHA-512$/],
    ['PLAIN=[name=admin,password=x]', /unknown SCRAM mechanism "PLAIN".*PLAIN users come from --plain-users-file/],
    ['SCRAM-SHA-256=[password=x]', /a user name is missing \(name=<user>\)/],
    ['SCRAM-SHA-256=[name=,password=x]', /a user name is missing/],
    ['SCRAM-SHA-256=[name=admin]', /a password is missing \(password=<password>, or password-env=<variable>\)/],
    ['SCRAM-SHA-256=[name=admin,password=]', /the password is empty/],
    ['SCRAM-SHA-256=[name=admin,name=root,password=x]', /name is given twice/],
    ['SCRAM-SHA-256=[name=admin,password=x,password-env=P]', /give password or password-env, not both/],
    ['SCRAM-SHA-256=[name=admin,password-env=NOT_SET]', /the environment variable NOT_SET \(password-env\) is not set/],
    ['SCRAM-SHA-256=[name=admin,password-env=EMPTY]', /the environment variable EMPTY \(password-env\) is empty/],
    ['SCRAM-SHA-256=[name=admin,password=x,iterations=8192]', /iterations cannot be set here: users are seeded with 4096 iterations; change them .* tributary users add <name> --iterations <count>/],
    ['SCRAM-SHA-512=[name=admin,salt="MWx2",saltedpassword="mT0y"]', /salt is not supported: users are seeded from a password/],
    ['SCRAM-SHA-256=[name=admin,pasword=x]', /unknown key "pasword"; expected name, and password or password-env/],
    ['SCRAM-SHA-256=[name=admin,password=a,b]', /expected key=value parts separated by commas \(a value cannot hold a comma; give such a password with password-env=<variable>\)/],
  ])('refuses %j, naming the problem', (entry, message) => {
    expect(() => parseAddScram(entry, { EMPTY: '' })).toThrow(message)
  })

  it('names the entry in errors, with its password hidden', () => {
    expect(() => parseAddScram('SCRAM-SHA-256=[name=admin,password=top-secret,iterations=8192]', {})).toThrow(
      /^--add-scram "SCRAM-SHA-256=\[name=admin,password=\*\*\*,iterations=8192\]": iterations/,
    )
    expect(() => parseAddScram('SCRAM-SHA-256=[name=admin,password=top,secret]', {})).toThrow(/^--add-scram "SCRAM-SHA-256=\[name=admin,password=\*\*\*\]": /)
    expect(() => parseAddScram('SCRAM-SHA-256=[name=admin,password-env=NOT_SET]', {})).toThrow(/^--add-scram "SCRAM-SHA-256=\[name=admin,password-env=NOT_SET\]": /)
  })
})

describe('scramUsersOf', () => {
  it('gives each user once; a user named for both mechanisms with one password is one user', () => {
    const entries = ['SCRAM-SHA-256=[name=admin,password=a]', 'SCRAM-SHA-512=[name=admin,password=a]', 'SCRAM-SHA-512=[name=__proto__,password=b]']
    const users = scramUsersOf(entries, {})
    expect(Object.entries(users)).toEqual([
      ['admin', 'a'],
      ['__proto__', 'b'],
    ])
  })

  it('refuses two passwords for one user: both mechanisms are seeded from one', () => {
    expect(() => scramUsersOf(['SCRAM-SHA-256=[name=admin,password=a]', 'SCRAM-SHA-512=[name=admin,password=b]'], {})).toThrow(
      /user admin is given two different passwords; a seeded user has one password, for both SCRAM-SHA-256 and SCRAM-SHA-512/,
    )
  })
})

const dir = tempDir('tributary-cli-sasl-users-')
afterAll(() => dir.remove())
const file = (name: string, text: string) => {
  writeFileSync(join(dir.path, name), text)
  return join(dir.path, name)
}

describe('checkPlainUsersFile', () => {
  it('accepts a JSON object of user names and passwords', () => {
    expect(() => checkPlainUsersFile(file('good.json', '{ "alice": "alice-secret", "bob": "b" }'))).not.toThrow()
    expect(() => checkPlainUsersFile(file('none.json', '{}'))).not.toThrow()
  })

  it.each([
    ['missing.json', undefined, /^--plain-users-file .*missing\.json cannot be read: ENOENT/],
    ['broken.json', '{ "alice": "top-secret", }', /^--plain-users-file .*broken\.json cannot be read: it is not valid JSON$/],
    ['array.json', '["alice"]', /^--plain-users-file .*array\.json: expected a JSON object \{ "<user>": "<password>", ... \}$/],
    ['number.json', '{ "alice": "top-secret", "bob": 5 }', /^--plain-users-file .*number\.json: the password of "bob" is not a string; expected a JSON object/],
    ['empty-name.json', '{ "": "top-secret" }', /^--plain-users-file .*empty-name\.json: a user name is empty/],
  ])('refuses %s, naming the problem but no password', (name, text, message) => {
    const path = text === undefined ? join(dir.path, name) : file(name, text)
    expect(() => checkPlainUsersFile(path)).toThrow(message)
    try {
      checkPlainUsersFile(path)
    } catch (err) {
      expect((err as Error).message).not.toContain('top-secret')
    }
  })
})

describe('toBrokerOptions', () => {
  const base: BrokerCommandOptions = { port: 9092, dataDir: './data', partitions: 1, autoCreateTopics: true, config: {}, logLevel: 'info' }

  it('leaves sasl out when no SASL user option is given', () => {
    expect(toBrokerOptions(base, {})).not.toHaveProperty('sasl')
  })

  it('maps --add-scram to sasl.scramUsers and --plain-users-file to sasl.plainUsersFile', () => {
    const plainUsersFile = file('plain.json', '{ "carol": "c" }')
    const options = { ...base, addScram: ['SCRAM-SHA-256=[name=admin,password-env=P]'], plainUsersFile }
    expect(toBrokerOptions(options, { P: 'pw' }).sasl).toEqual({ scramUsers: { admin: 'pw' }, plainUsersFile })
  })
})
