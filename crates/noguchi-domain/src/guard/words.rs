//! The guard's word lists, whitespace-separated. Where several entries match at one place, the
//! longest wins.

pub(super) const HONORIFICS: &str = "ちゃん さま さん くん 様 氏 殿 君";

/// Words before an honorific that name a role, not a person (患者様, 看護師長さん, 主任さん).
/// A run of kanji/katakana that ends with one of these, or with a word of the lists below, is
/// not a name.
pub(super) const ROLE_WORDS: &str = "\
    患者 患児 先生 学生 実習生 研修生 院生 同級生 留学生 本人 他人 知人 友人 \
    住人 職人 管理人 後見人 代理人 保証人 成人 老人 病人 婦人 夫人 新人 法人 \
    個人 外国人 運転手 助手 相手 選手 若手 仲間 同僚 上司 部下 先輩 後輩 同期 \
    近所 隣 皆 各位 一同 方々 先方 双方 奥方 専門家 大家 農家 男児 女児 乳児 \
    幼児 小児 新生児 赤子 主任 主査 主事 参事 顧問 理事 代表 幹事 当直 日勤 \
    夜勤 早番 遅番 看護 介護 介助 付添 補助 事務 受付 医事 清掃 警備 委託 派遣 \
    お客";

/// Relatives (ご家族様, 息子さん, 旦那さん).
pub(super) const RELATIVES: &str = "\
    家族 主人 旦那 家内 奥 祖母 祖父 叔母 叔父 伯母 伯父 母 父 娘 息子 孫 嫁 婿 \
    姉 兄 妹 弟 妻 親 双子 子供 子ども";

/// Places, departments and services people address with さん/様 (病院さん, 包括さん, 訪看さん,
/// デイさん, 特養さん) and companies (メーカーさん, テルモさん). The makers listed are ones whose
/// names are no person's; a kanji maker name that is also a surname (島津) is held.
pub(super) const ORGANISATIONS: &str = "\
    事業所 診療所 研究所 保健所 役所 事務所 営業所 出張所 各所 療養所 支所 製作所 \
    看護部 薬剤部 事務部 栄養部 検査部 放射線部 手術部 材料部 医事部 総務部 施設部 \
    営業部 開発部 技術部 診療部 本部 部門 外科 内科 小児科 眼科 歯科 皮膚科 耳鼻科 \
    咽喉科 精神科 産科 婦人科 泌尿器科 放射線科 麻酔科 検査科 栄養科 薬剤科 診療科 \
    医科 救急科 大学 学校 機関 組合 連合 行政 窓口 取引先 委託先 訪問先 納入先 \
    外注先 製造元 販売元 発売元 供給元 消防 警察 役場 自治体 市町村 地域 現場 訪看 \
    包括 訪問 入浴 通所 特養 老健 サ高住 有料 多機能 福祉用具 配食 給食 外来 救急 \
    中材 連携 技術 開発 放射線 検査 薬剤 栄養 総務 経理 用度 購買 臨工 工学 材料 \
    滅菌 花屋 八百屋 床屋 薬屋 本屋 問屋 宅配 電子 電機 電気 商事 化学 製薬 精工 \
    技研 光電 日立 東芝 \
    ナース ヘルパー ケアマネ ケアマネジャー ケアマネージャー ドクター クラーク \
    ワーカー セラピスト リハ リハビリ ママ パパ ベビー メーカー メーカ ベンダー \
    ベンダ ディーラー ユーザー ユーザ スタッフ ボランティア ドライバー ゲスト \
    メンバー オーナー マネージャー マネジャー リーダー サポーター コーディネーター \
    エンジニア デザイナー ベテラン チーム センター ステーション クリニック ホーム \
    ショップ ストア グループ サービス パート バイト ファミリー エイド アシスタント \
    トレーナー カウンセラー インストラクター ホスピタル ラボ カンパニー メディカル \
    ファーマ シスター クライアント ユニット フロア ドナー レシピエント クラブ \
    サークル ベンチャー ファーム デイ ショート ステイ ケア ホスピス キッズ シニア \
    レンタル リース カスタマー サ責 インターン レジデント フェロー サプライヤー \
    ディストリビューター メンテ 営業マン システム ジャパン ヘルスケア \
    オリンパス テルモ ニプロ シスメックス キヤノン フイルム パラマウント フランスベッド メドトロニック \
    ストライカー バクスター アルケア フィリップス シーメンス";

/// Last characters that no Japanese name ends with but many role and organisation words do
/// (利用者, 技士, 薬剤師, 職員, 主治医, 師長, 病院, 薬局, 病棟, 企業, 介護職 …).
pub(super) const ROLE_SUFFIXES: &str =
    "者士師員医長族社院局課室棟会店館庁省署団園荘苑寮校業設係班隊当諸婦職器研";

/// Characters that form an ordinary word with a following 様 (仕様, 同様, 多様, 模様, 有様,
/// 神様 …) or 氏 (同氏, 両氏, 摂氏), so the 様/氏 after them is no honorific.
pub(super) const SAMA_WORD_HEADS: &str = "仕同多模異有態両各別神仏某";
pub(super) const SHI_WORD_HEADS: &str = "同両摂華某";
/// Surnames that end like 多様 and are names after all (本多様).
pub(super) const NAMES_ENDING_IN_TA: &str = "本多 喜多 宇多 波多 羽多";

/// Kanji after a single-kanji honorific that still belong to the name (山田様宅, 山田様方).
pub(super) const AFTER_HONORIFIC_KANJI: &str = "宅方邸宛";

/// Single-kanji surnames common enough to flag (林さん); other single kanji before さん are too
/// often ordinary words (赤ちゃん, 奥さん).
pub(super) const SINGLE_KANJI_SURNAMES: &str = "林森原関辻堀岡谷東西南北菅泉岸宮沖星堤楠";

/// Kanji words directly before ちゃんと (毎回ちゃんと): the adverb, not a name + ちゃん.
pub(super) const BEFORE_CHANTO: &str = "\
    毎回 毎日 毎朝 毎晩 全員 全部 結局 一度 今度 今回 次回 本来 普段 最初 最後 \
    事前 当日 前日 夜間 日中 自分 各自 本当 一応 全然 結構 意外 案外";

/// Kana words before さん that are not given names (たくさん, おじいさん, みなさん), also after a
/// particle (病棟のみなさん, 量がたくさん).
pub(super) const NOT_KANA_NAMES: &str = "\
    たく じい ばあ おじ おば にい ねえ かあ とう ども たち みな あか おじい おばあ \
    おにい おねえ おかあ おとう";

/// Words after an age that make it the bound of a group or a range (65歳以上, 3歳児, 2歳から).
pub(super) const AGE_GROUP_AFTER: &str = "\
    以上 以下 未満 代 から より 〜 ~ - – 前後 超 を超 を過ぎ 児 頃 ごろ くらい ぐらい \
    程度 まで 到達 定年 で定年 以降 以前 時点 刻み 健診 検診 相当 用 向け 対象 区切 階級 \
    体操 の壁";
/// Words right before an age that make it the end of a range (6〜12歳, 2歳から6歳).
pub(super) const AGE_RANGE_BEFORE: &str = "〜 ~ - – から より";
/// Words shortly before an age that make it a statistic (平均年齢86歳).
pub(super) const AGE_STATISTIC_BEFORE: &str = "平均 中央値 最高 最低";

/// Words after 生後Nか月 that make it a bound (生後28日未満).
pub(super) const INFANT_GROUP_AFTER: &str = "\
    未満 以内 以降 以上 以下 まで から 頃 ごろ 前後 程度 〜 ~ の間 以前 時点 健診";

/// Sex words that turn an age band into one person (80代女性, 70代前半の男性).
pub(super) const SEX_WORDS: &str = "男性 女性 男児 女児 男子 女子 男の子 女の子 男 女";
/// Words after "80代女性" that make it a type of person, not one patient (80代女性でも使える;
/// 20代女性看護師 is staff).
pub(super) const AFTER_SEX_GENERIC: &str = "\
    でも にも には 向け 用 のような の場合 看護師 職員 スタッフ 医師 介護士 ヘルパー \
    薬剤師 セラピスト 技師 研修医 学生 の看護師 の職員 のスタッフ";
/// Words that make a sentence about a group, so an age band in it stays a group (80代女性が多い,
/// 80代女性の場合).
pub(super) const AGGREGATE_MARKERS: &str = "\
    多い 多く 多数 大半 少な 増え 増加 減少 減っ 割合 人数 層 たち 達 方々 全般 全体 \
    中心 など 等 傾向 場合 主に 比較的 全員 世代 いずれ 名中 例中 人中 率 統計 平均 \
    一般 向け 対象";

/// Labels whose value is a personal record number.
pub(super) const RECORD_LABELS: &str = "\
    介護保険被保険者番号 障害者手帳番号 被保険者証番号 被保険者番号 受給者証番号 \
    介護保険番号 保険証番号 保険者番号 受給者番号 診察券番号 入所者番号 利用者番号 \
    マイナンバー 患者コード カルテ番号 手帳番号 個人番号 患者番号 受付番号 入院番号 \
    外来番号 受診番号 検体番号 記号番号 診察券No 利用者ID カルテNo カルテID 患者No \
    患者ID 検体ID MRN";
/// Words before a bare ID/No. that make it a product, lot or document number (Lot No.23456).
pub(super) const NOT_PERSONAL_NUMBER: &str = "\
    lot ref cat model serial s/n ロット 型番 型式 型 品番 品 製品 製造 シリアル カタログ \
    認証 承認 届出 許可 管理 機器 装置 部品 伝票 注文 発注 請求 文書 資料 様式 規格 \
    会議 機種 端末 デバイス 図面";

/// Labels of a birth date; `_` stands for a space (Date of Birth, see [`is_at`]).
pub(super) const BIRTH_LABELS: &str =
    "生年月日 誕生日 出生日 date_of_birth birth_date birthday d.o.b. d.o.b dob";
pub(super) const BIRTH_MARKERS: &str = "生まれ 産まれ 出生 誕生 生";
/// After 生まれ, words that make it a cohort (2000年生まれ以降).
pub(super) const COHORT_AFTER: &str = "以降 以前 以後 の世代 世代 〜 ~ から まで";

/// Clinical events of one person that make a date before them identifying (11月3日に入院).
pub(super) const EVENTS: &str = "\
    救急搬送 自己抜去 亡くな 入院 退院 入所 退所 転院 入棟 転棟 手術 死亡 逝去 \
    急変 転倒 転落 搬送 発症 受傷 出産 分娩 来院 受診 挿管 抜管 誤嚥 心停止 入室";
/// What may follow an event word when it is one person's event (入院した, 手術を受けた,
/// 搬送され, 亡くなった); anything else makes it a noun (手術室, 入院患者数, 入院予約).
pub(super) const EVENT_VERB_AFTER: &str = "しさ後時中、。をにがはっでと";
/// Before a date, words that make it a recurring date (毎年4月1日に入所).
pub(super) const RECURRING: &str = "毎年 毎月 毎週 例年";
/// After a date, words that make it a period (4月1日から, 3月31日時点).
pub(super) const PERIOD_AFTER: &str = "〜 ~ から まで - 時点";

pub(super) const PHONE_LABELS: &str =
    "携帯電話 電話番号 ファックス 連絡先 ファクス 電話 携帯 tel fax";

pub(super) const ROOM_WORDS: &str = "号室 号ベッド 番ベッド 号床";
/// Rooms that are not patients' (手術3号室, 診察2号室).
pub(super) const FACILITY_ROOMS: &str = "\
    手術 オペ 診察 処置 検査 会議 面談 相談 透析 内視鏡 カテ 分娩 陣痛 浴 リハ 診療 \
    外来 講義 研修";
pub(super) const RANGE_AFTER: &str = "〜 ~ から まで -";

pub(super) const ADDRESS_LABELS: &str = "自宅住所 現住所 居住地 住所 居所";
/// Municipality markers: a place name ending in one, then a block number, is an address.
pub(super) const MUNICIPALITY: &str = "市区町村郡";
/// Characters after a municipality marker that make an ordinary word (市販, 市内, 区分, 町内).
pub(super) const NOT_PLACE_AFTER_MARKER: &str = "内外販場民立役長議営政域分切別間画会村区町";
pub(super) const BLOCK_WORDS: &str = "丁目 番地 番 号 の";

pub(super) const NAME_LABELS: &str =
    "利用者氏名 患者氏名 本人氏名 フルネーム 利用者名 患者名 氏名 姓名 名前";

pub(super) const INFANT_UNITS: &str = "か月 ヶ月 カ月 ケ月 ヵ月 箇月 週 日";
pub(super) const AGE_UNITS: &str = "y/o y.o. yo";

pub(super) const KANJI_NUMERALS: &str = "一二三四五六七八九十百";
