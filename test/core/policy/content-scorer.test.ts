/** The built-in content scorer, signal by signal and in every shipped language. Fakes: none (pure). */
import { describe, expect, it } from 'vitest';
import {
  builtInContentScorer,
  type ContentInput,
  headerDomain,
  scoreContent,
} from '../../../src/core/policy/content-scorer.js';

const THRESHOLD = 10; // the default policy's spamScoreThreshold

const mail = (over: Partial<ContentInput> = {}): ContentInput => ({
  sender: 'rob@contoso.com',
  recipients: ['megan@contoso.com', 'jan@fabrikam.com'],
  externalRecipients: 1,
  fromHeader: 'Rob Young <rob@contoso.com>',
  replyTo: null,
  subject: 'Quarterly figures for Thursday',
  text: 'Hi Megan, Jan,\n\nAttached are the Q3 figures we discussed. The dashboard is at https://intranet.contoso.com/q3 as well.\n\nKind regards,\nRob',
  links: ['https://intranet.contoso.com/q3'],
  attachments: [
    {
      filename: 'q3-figures.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      size: 48_213,
    },
  ],
  bodyHash: 'a'.repeat(64),
  ...over,
});
const names = (input: ContentInput) => scoreContent(input).signals.map((s) => s.name);

describe('built-in content scorer', () => {
  it('scores an ordinary business mail at zero', async () => {
    expect(scoreContent(mail())).toEqual({ score: 0, signals: [] });
    expect(await builtInContentScorer.score(mail())).toEqual({ score: 0, signals: [] });
  });

  it('adds more the more distinct external recipients a message has', () => {
    expect(names(mail({ externalRecipients: 9 }))).toEqual([]);
    expect(scoreContent(mail({ externalRecipients: 10 })).score).toBe(2);
    expect(scoreContent(mail({ externalRecipients: 150 })).score).toBe(5);
  });

  it('notices link shorteners, including subdomains and links without a scheme', () => {
    const v = scoreContent(
      mail({ links: ['https://bit.ly/3xYz', 'www.tinyurl.com/abc', 'https://intranet.contoso.com/'] }),
    );
    expect(v.signals[0]).toEqual({
      name: 'link-shortener',
      score: 6,
      detail: 'link shortener bit.ly, www.tinyurl.com',
    });
    expect(names(mail({ links: ['https://t.co/x'] }))).toEqual(['link-shortener']);
    // A host that merely ends in the same letters is not a shortener.
    expect(names(mail({ links: ['https://microsoft.co/x', 'https://habit.ly.example.com/'] }))).toEqual([]);
  });

  it('notices links to bare IP addresses, also in decimal form', () => {
    expect(names(mail({ links: ['http://192.0.2.14/login'] }))).toEqual(['bare-ip-link']);
    expect(scoreContent(mail({ links: ['http://3232235777/login'] })).signals[0]?.detail).toBe(
      'link to a bare IP address 192.168.1.1',
    );
    expect(names(mail({ links: ['http://[2001:db8::1]/x'] }))).toEqual(['bare-ip-link']);
  });

  it('notices many links', () => {
    const links = Array.from({ length: 12 }, (_, i) => `https://shop.example.com/item/${i}`);
    expect(scoreContent(mail({ links })).signals).toEqual([
      { name: 'many-links', score: 2, detail: '12 distinct links' },
    ]);
  });

  it.each([
    'setup.exe',
    'photo.scr',
    'run.js',
    'macro.vbs',
    'go.bat',
    'go.cmd',
    'x.com',
    'x.pif',
    'tool.jar',
    'pkg.msi',
    'a.ps1',
    'page.hta',
    'disk.iso',
    'shortcut.lnk',
    'SETUP.EXE',
  ])('notices the executable attachment %s', (filename) => {
    expect(names(mail({ attachments: [{ filename, contentType: 'application/octet-stream', size: 1000 }] }))).toEqual([
      'executable-attachment',
    ]);
  });

  it('weighs an executable hidden behind a document extension more', () => {
    for (const filename of ['invoice.pdf.exe', 'invoice.pdf.exe. ', 'scan.JPG.scr', 'invoice\u202Efdp.exe']) {
      const v = scoreContent(mail({ attachments: [{ filename, contentType: 'application/pdf', size: 1000 }] }));
      expect(v.signals.map((s) => s.name)).toEqual(['disguised-executable-attachment']);
      expect(v.score).toBe(8);
    }
    expect(
      names(mail({ attachments: [{ filename: 'invoice.exe.pdf', contentType: 'application/pdf', size: 1 }] })),
    ).toEqual([]);
    expect(names(mail({ attachments: [{ filename: null, contentType: 'image/png', size: 1 }] }))).toEqual([]);
  });

  it('notices replies that go to another domain than From', () => {
    expect(scoreContent(mail({ replyTo: '"Payroll" <payroll@contoso-hr.net>' })).signals).toEqual([
      { name: 'reply-to-mismatch', score: 3, detail: 'replies go to contoso-hr.net, not contoso.com' },
    ]);
    expect(names(mail({ replyTo: 'Megan <megan@CONTOSO.com>' }))).toEqual([]);
    expect(headerDomain('rob@contoso.com')).toBe('contoso.com');
    expect(headerDomain('undisclosed-recipients:;')).toBeNull();
  });

  it('notices a subject in capitals but not a short acronym', () => {
    expect(names(mail({ subject: 'URGENT PAYMENT NEEDED TODAY' }))).toEqual(['all-caps-subject']);
    expect(names(mail({ subject: 'Q3 KPI' }))).toEqual([]);
    expect(names(mail({ subject: 'Meeting notes from the NATO summit' }))).toEqual([]);
  });

  it('notices the same body going to many (count from the submission guard)', () => {
    expect(names(mail({ sameBodyCount: 19 }))).toEqual([]);
    expect(scoreContent(mail({ sameBodyCount: 20 })).score).toBe(3);
    expect(scoreContent(mail({ sameBodyCount: 500 })).signals[0]?.detail).toBe(
      'the same body went to 500 recipients in the last hour',
    );
  });

  describe.each([
    ['en', 'Dear customer, please verify your account within 24 hours.', '"verify your account"'],
    ['en', 'URGENT wire transfer needed before noon.', '"urgent wire transfer"'],
    ['en', 'Congratulations, you have won an iPhone!', '"you have won"'],
    ['nl', 'Beste klant, u moet uw account verifiëren binnen 24 uur.', '"uw account verifiëren"'],
    ['nl', 'Gefeliciteerd, u heeft gewonnen!', '"u heeft gewonnen"'],
    ['nb', 'Hei! Vennligst bekreft kontoen din i dag.', '"bekreft kontoen"'],
    ['nb', 'Gratulerer, du har vunnet en premie.', '"du har vunnet"'],
    ['ro', 'Vă rugăm să verificați contul astăzi.', '"verificați contul"'],
    ['ro', 'Felicitări, ați câștigat un premiu!', '"ați câștigat"'],
    ['fr', 'Merci de vérifiez votre compte avant demain.', '"vérifiez votre compte"'],
    ['fr', 'Bravo, vous avez gagné un voyage !', '"vous avez gagné"'],
    ['fr', 'Vous êtes le grand gagné du mois', '"gagné"'],
  ])('spam phrases in %s', (_lang, text, phrase) => {
    it(`finds ${phrase}`, () => {
      const v = scoreContent(mail({ text }));
      expect(v.signals).toEqual([{ name: 'spam-phrases', score: 3, detail: `spam phrases: ${phrase}` }]);
    });
  });

  it('matches phrases without their diacritics and not inside other words', () => {
    expect(names(mail({ text: 'va rugam sa verificati contul' }))).toEqual(['spam-phrases']);
    expect(names(mail({ text: 'Il a gagnée la course' }))).toEqual([]);
    expect(names(mail({ subject: 'You have won', text: '' }))).toEqual(['spam-phrases']);
  });

  it('caps the phrase signal', () => {
    const text = 'verify your account, confirm your password, you have won, claim your prize, act now';
    expect(scoreContent(mail({ text })).signals[0]?.score).toBe(9);
  });

  it('puts a typical phishing mail over the default threshold, strongest signal first', () => {
    const v = scoreContent(
      mail({
        subject: 'Your mailbox is full',
        text: 'Your account will be suspended. Verify your account here: https://bit.ly/mbx-fix',
        links: ['https://bit.ly/mbx-fix'],
        replyTo: 'helpdesk@mail-support.example',
        externalRecipients: 12,
      }),
    );
    expect(v.score).toBeGreaterThanOrEqual(THRESHOLD);
    expect(v.signals.map((s) => s.name)).toEqual([
      'spam-phrases',
      'link-shortener',
      'reply-to-mismatch',
      'many-external-recipients',
    ]);
  });
});
