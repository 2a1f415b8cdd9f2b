/**
 * Vocabulary of the demo catalog: a bilingual 3-level taxonomy with product nouns, selling points,
 * option axes and SPU-level specs per leaf, plus fictional brands. Entries are "中文|English" so the
 * table stays readable; `bi`/`bis` split them. Brands are invented on purpose (no trademarks).
 */

export interface Bilingual {
  zh: string;
  en: string;
}

export function bi(pair: string): Bilingual {
  const [zh, en] = pair.split('|');
  return { zh: zh!.trim(), en: (en ?? zh)!.trim() };
}

/** "a|A; b|B" → [{zh:a,en:A},{zh:b,en:B}] */
export function bis(pairs: string): Bilingual[] {
  return pairs.split(';').map((p) => bi(p));
}

export interface OptionAxis {
  name: Bilingual;
  values: Bilingual[];
  /** How many values a product offers at most (a contiguous run for sizes, a random subset otherwise). */
  maxValues: number;
  ordered: boolean;
}

const axis = (name: string, values: string, maxValues: number, ordered = false): OptionAxis => ({
  name: bi(name),
  values: bis(values),
  maxValues,
  ordered,
});

export const AXES = {
  color: axis(
    '颜色|color',
    '黑色|black; 白色|white; 蓝色|blue; 红色|red; 灰色|grey; 粉色|pink; 绿色|green; 米色|beige; 藏青色|navy',
    4,
  ),
  apparelSize: axis('尺码|size', 'S|S; M|M; L|L; XL|XL; XXL|XXL', 5, true),
  shoeSize: axis('鞋码|size', '38|38; 39|39; 40|40; 41|41; 42|42; 43|43; 44|44', 5, true),
  bottleCapacity: axis(
    '容量|capacity',
    '350ml|350 ml; 500ml|500 ml; 750ml|750 ml; 1000ml|1000 ml',
    3,
    true,
  ),
  panSize: axis('尺寸|size', '24cm|24 cm; 28cm|28 cm; 32cm|32 cm', 3, true),
  bedSize: axis(
    '床尺寸|bed size',
    '1.5米床|1.5 m bed; 1.8米床|1.8 m bed; 2.0米床|2.0 m bed',
    3,
    true,
  ),
  keySwitch: axis('轴体|switch', '红轴|red switch; 青轴|blue switch; 茶轴|brown switch', 3),
  keyLayout: axis('键数|layout', '87键|87 keys; 104键|104 keys', 2, true),
  watchSize: axis('表盘尺寸|case size', '41mm|41 mm; 45mm|45 mm', 2, true),
  puzzlePieces: axis(
    '片数|pieces',
    '300片|300 pieces; 500片|500 pieces; 1000片|1000 pieces',
    3,
    true,
  ),
  creamVolume: axis('规格|volume', '30ml|30 ml; 50ml|50 ml; 100ml|100 ml', 2, true),
  lipShade: axis(
    '色号|shade',
    '正红色|true red; 豆沙色|rose nude; 珊瑚色|coral; 枫叶红|maple red; 奶茶色|milk tea',
    4,
  ),
  tentCapacity: axis('容纳人数|capacity', '2人|2-person; 3人|3-person; 4人|4-person', 2, true),
  packVolume: axis('容量|capacity', '20L|20 L; 30L|30 L; 45L|45 L', 2, true),
  matThickness: axis('厚度|thickness', '6mm|6 mm; 8mm|8 mm; 10mm|10 mm', 3, true),
} satisfies Record<string, OptionAxis>;

export type AxisKey = keyof typeof AXES;

export interface SpecDefinition {
  name: Bilingual;
  values: Bilingual[];
}

export type GroupKey = 'electronics' | 'clothing' | 'home' | 'toys' | 'beauty' | 'sports';

export interface LeafCategory {
  group: GroupKey;
  /** Level 1 / level 2 / level 3. */
  path: [Bilingual, Bilingual, Bilingual];
  nouns: Bilingual[];
  features: Bilingual[];
  axes: AxisKey[];
  price: [number, number];
  weightKg: [number, number];
  specs: SpecDefinition[];
}

const spec = (name: string, values: string): SpecDefinition => ({
  name: bi(name),
  values: bis(values),
});

const MATERIAL_COTTON = spec('材质|material', '纯棉|cotton; 棉麻|cotton-linen; 聚酯纤维|polyester');
const WARRANTY = spec('保修|warranty', '1年|1 year; 2年|2 years');
const AGE = spec('适用年龄|age', '3岁以上|3+ years; 6岁以上|6+ years; 8岁以上|8+ years');

const leaf = (
  group: GroupKey,
  path: string,
  nouns: string,
  features: string,
  axes: AxisKey[],
  price: [number, number],
  weightKg: [number, number],
  specs: SpecDefinition[],
): LeafCategory => {
  const [l1, l2, l3] = path.split('/').map((p) => bi(p));
  return {
    group,
    path: [l1!, l2!, l3!],
    nouns: bis(nouns),
    features: bis(features),
    axes,
    price,
    weightKg,
    specs,
  };
};

const E = '电子产品|Electronics';
const C = '服装|Clothing';
const H = '家居|Home';
const T = '玩具|Toys';
const B = '美妆个护|Beauty';
const S = '运动户外|Sports & Outdoors';

// One leaf per block reads as a table; wrapped by the formatter it would triple in length.
// prettier-ignore
export const LEAVES: LeafCategory[] = [
  leaf('electronics', `${E}/音频设备|Audio/耳机|Headphones`,
    '蓝牙耳机|Bluetooth Headphones; 无线耳机|Wireless Earbuds; 头戴式耳机|Over-Ear Headphones; 降噪耳机|Noise-Cancelling Headphones; 运动耳机|Sports Earphones',
    '主动降噪|Active Noise Cancelling; 超长续航|Long Battery Life; 低延迟|Low Latency; 防水|Waterproof; 高保真|Hi-Fi',
    ['color'], [59, 899], [0.03, 0.35],
    [spec('蓝牙版本|Bluetooth version', '5.0|5.0; 5.2|5.2; 5.3|5.3'), spec('续航时间|battery life', '20小时|20 hours; 30小时|30 hours; 40小时|40 hours'), WARRANTY]),
  leaf('electronics', `${E}/音频设备|Audio/蓝牙音箱|Speakers`,
    '蓝牙音箱|Bluetooth Speaker; 便携音箱|Portable Speaker; 智能音箱|Smart Speaker; 低音炮音箱|Subwoofer Speaker',
    '重低音|Deep Bass; 户外防水|Outdoor Waterproof; 360度环绕|360° Surround; 迷你|Mini',
    ['color'], [99, 1299], [0.3, 2.5],
    [spec('输出功率|output power', '10W|10 W; 20W|20 W; 40W|40 W'), WARRANTY]),
  leaf('electronics', `${E}/手机配件|Phone Accessories/手机壳|Phone Cases`,
    '手机壳|Phone Case; 防摔手机壳|Shockproof Phone Case; 手机保护套|Protective Phone Cover',
    '透明|Clear; 硅胶|Silicone; 磁吸|Magnetic; 超薄|Ultra-Thin',
    ['color'], [19, 129], [0.02, 0.08],
    [spec('材质|material', '硅胶|silicone; TPU|TPU; 皮革|leather')]),
  leaf('electronics', `${E}/手机配件|Phone Accessories/充电器|Chargers`,
    '快充充电器|Fast Charger; 无线充电器|Wireless Charger; 充电宝|Power Bank; 车载充电器|Car Charger',
    '65W氮化镓|65W GaN; 多口|Multi-Port; 便携|Portable; 大容量|High-Capacity',
    ['color'], [39, 299], [0.05, 0.4],
    [spec('功率|power', '20W|20 W; 65W|65 W; 100W|100 W'), WARRANTY]),
  leaf('electronics', `${E}/电脑外设|Computer Peripherals/键盘|Keyboards`,
    '机械键盘|Mechanical Keyboard; 无线键盘|Wireless Keyboard; 游戏键盘|Gaming Keyboard',
    '静音|Quiet; RGB背光|RGB Backlit; 蓝牙双模|Dual-Mode Bluetooth; 热插拔|Hot-Swappable',
    // The one three-option leaf, so option3 is exercised end to end.
    ['color', 'keySwitch', 'keyLayout'], [129, 899], [0.5, 1.2],
    [spec('键数|keys', '68键|68 keys; 87键|87 keys; 104键|104 keys'), WARRANTY]),
  leaf('electronics', `${E}/电脑外设|Computer Peripherals/鼠标|Mice`,
    '无线鼠标|Wireless Mouse; 游戏鼠标|Gaming Mouse; 静音鼠标|Silent Mouse; 人体工学鼠标|Ergonomic Mouse',
    '轻量化|Lightweight; 可充电|Rechargeable; 高精度|High-Precision; 蓝牙|Bluetooth',
    ['color'], [49, 499], [0.06, 0.15],
    [spec('分辨率|DPI', '4000DPI|4000 DPI; 16000DPI|16000 DPI; 26000DPI|26000 DPI')]),
  leaf('electronics', `${E}/智能穿戴|Wearables/智能手表|Smartwatches`,
    '智能手表|Smartwatch; 运动手环|Fitness Tracker; 儿童手表|Kids Smartwatch',
    '心率监测|Heart-Rate Monitoring; GPS定位|GPS; 血氧检测|Blood Oxygen Monitoring; 长续航|Long Battery Life',
    ['color', 'watchSize'], [199, 2999], [0.03, 0.08],
    [spec('防水等级|water resistance', '5ATM|5 ATM; IP68|IP68'), WARRANTY]),
  leaf('clothing', `${C}/女装|Women's Clothing/连衣裙|Dresses`,
    '连衣裙|Dress; 碎花连衣裙|Floral Dress; 针织连衣裙|Knit Dress; 吊带裙|Slip Dress',
    '夏季|Summer; 修身|Slim-Fit; 雪纺|Chiffon; 法式复古|French Vintage; 高腰|High-Waist',
    ['color', 'apparelSize'], [89, 599], [0.2, 0.6],
    [MATERIAL_COTTON, spec('裙长|length', '短裙|mini; 中长裙|midi; 长裙|maxi')]),
  leaf('clothing', `${C}/女装|Women's Clothing/T恤|T-Shirts`,
    '纯棉T恤|Cotton T-Shirt; 短袖T恤|Short-Sleeve T-Shirt; 印花T恤|Graphic T-Shirt',
    '宽松|Loose-Fit; 百搭|Everyday; 透气|Breathable; 基础款|Basic',
    ['color', 'apparelSize'], [39, 199], [0.15, 0.3],
    [MATERIAL_COTTON]),
  leaf('clothing', `${C}/男装|Men's Clothing/衬衫|Shirts`,
    '衬衫|Shirt; 商务衬衫|Business Shirt; 牛津纺衬衫|Oxford Shirt; 格子衬衫|Plaid Shirt',
    '免烫|Non-Iron; 长袖|Long-Sleeve; 修身|Slim-Fit; 休闲|Casual',
    ['color', 'apparelSize'], [79, 399], [0.2, 0.4],
    [MATERIAL_COTTON]),
  leaf('clothing', `${C}/男装|Men's Clothing/外套|Jackets`,
    '夹克|Jacket; 羽绒服|Down Jacket; 冲锋衣|Hardshell Jacket; 棒球服|Bomber Jacket',
    '防风|Windproof; 保暖|Warm; 轻薄|Lightweight; 连帽|Hooded',
    ['color', 'apparelSize'], [199, 1599], [0.4, 1.5],
    [spec('填充物|filling', '白鸭绒|white duck down; 聚酯纤维|polyester; 无|none')]),
  leaf('clothing', `${C}/鞋靴|Shoes/运动鞋|Sneakers`,
    '跑步鞋|Running Shoes; 运动鞋|Sneakers; 篮球鞋|Basketball Shoes; 板鞋|Skate Shoes',
    '缓震|Cushioned; 透气|Breathable; 轻便|Lightweight; 防滑|Non-Slip',
    ['color', 'shoeSize'], [159, 1299], [0.5, 1.1],
    [spec('鞋面材质|upper material', '网布|mesh; 皮革|leather; 飞织|knit')]),
  leaf('home', `${H}/厨房用品|Kitchen/保温杯|Vacuum Flasks`,
    '保温杯|Insulated Water Bottle; 保温壶|Thermos Flask; 咖啡杯|Travel Coffee Mug',
    '316不锈钢|316 Stainless Steel; 长效保温|Long-Lasting Insulation; 大容量|Large-Capacity; 便携|Portable',
    ['color', 'bottleCapacity'], [39, 299], [0.25, 0.6],
    [spec('材质|material', '316不锈钢|316 stainless steel; 304不锈钢|304 stainless steel')]),
  leaf('home', `${H}/厨房用品|Kitchen/锅具|Cookware`,
    '不粘锅|Non-Stick Pan; 炒锅|Wok; 汤锅|Stock Pot; 平底锅|Frying Pan',
    '少油烟|Low-Smoke; 麦饭石|Stone-Coated; 电磁炉通用|Induction-Ready; 铸铁|Cast Iron',
    ['panSize'], [69, 699], [0.8, 3.5],
    [spec('适用炉具|stove', '燃气灶|gas; 电磁炉|induction; 通用|all stoves'), WARRANTY]),
  leaf('home', `${H}/家纺|Bedding/四件套|Bedding Sets`,
    '床上四件套|4-Piece Bedding Set; 纯棉四件套|Cotton Bedding Set; 被套|Duvet Cover',
    '亲肤|Skin-Friendly; 简约|Minimalist; 北欧风|Nordic Style; 四季通用|All-Season',
    ['color', 'bedSize'], [129, 999], [1.5, 3.0],
    [MATERIAL_COTTON]),
  leaf('home', `${H}/家纺|Bedding/枕头|Pillows`,
    '记忆棉枕头|Memory Foam Pillow; 乳胶枕|Latex Pillow; 护颈枕|Cervical Pillow',
    '慢回弹|Slow-Rebound; 护颈|Neck-Support; 透气|Breathable; 可水洗|Washable',
    ['color'], [59, 499], [0.8, 1.8],
    [spec('填充物|filling', '记忆棉|memory foam; 天然乳胶|natural latex; 羽绒|down')]),
  leaf('home', `${H}/家居装饰|Home Decor/台灯|Desk Lamps`,
    '护眼台灯|Eye-Care Desk Lamp; LED台灯|LED Desk Lamp; 床头灯|Bedside Lamp',
    '无频闪|Flicker-Free; 可调光|Dimmable; 充电式|Rechargeable; 折叠|Foldable',
    ['color'], [69, 599], [0.5, 2.0],
    [spec('光源|light source', 'LED|LED'), WARRANTY]),
  leaf('toys', `${T}/积木拼装|Building Toys/积木|Building Blocks`,
    '积木|Building Blocks; 拼装积木|Construction Set; 大颗粒积木|Large Building Blocks',
    '城市系列|City Series; 科技系列|Technic Series; 太空系列|Space Series; 益智|Educational',
    ['puzzlePieces'], [59, 899], [0.3, 2.0],
    [AGE, spec('材质|material', 'ABS塑料|ABS plastic')]),
  leaf('toys', `${T}/车辆玩具|Vehicle Toys/玩具车|Toy Cars`,
    '消防车玩具|Toy Fire Truck; 遥控车|Remote Control Car; 合金车模|Die-Cast Model Car; 工程车玩具|Toy Construction Truck',
    '声光|Lights and Sounds; 惯性|Friction-Powered; 高速|High-Speed; 仿真|Realistic',
    ['color'], [29, 499], [0.2, 1.5],
    [AGE]),
  leaf('toys', `${T}/毛绒玩具|Plush Toys/毛绒公仔|Stuffed Animals`,
    '毛绒熊|Teddy Bear; 毛绒兔|Plush Bunny; 恐龙公仔|Dinosaur Plush; 抱枕公仔|Plush Pillow',
    '超柔软|Super-Soft; 可爱|Cute; 大号|Giant; 安抚|Comfort',
    ['color'], [29, 299], [0.1, 1.2],
    [AGE]),
  leaf('toys', `${T}/娃娃|Dolls/时尚娃娃|Fashion Dolls`,
    '时尚娃娃|Fashion Doll; 换装娃娃|Dress-Up Doll; 公主娃娃|Princess Doll',
    '梦想衣橱|Dream Closet; 关节可动|Poseable; 套装|Gift Set; 长发|Long-Hair',
    ['color'], [49, 399], [0.2, 0.8],
    [AGE]),
  leaf('toys', `${T}/益智玩具|Educational Toys/拼图|Jigsaw Puzzles`,
    '拼图|Jigsaw Puzzle; 木质拼图|Wooden Puzzle; 风景拼图|Landscape Puzzle',
    '名画|Fine Art; 减压|Relaxing; 高难度|Challenging; 儿童|Kids',
    ['puzzlePieces'], [19, 159], [0.2, 1.0],
    [AGE]),
  leaf('beauty', `${B}/护肤|Skincare/面霜|Face Creams`,
    '保湿面霜|Moisturizing Cream; 修护面霜|Repair Cream; 抗皱面霜|Anti-Wrinkle Cream',
    '补水|Hydrating; 敏感肌|Sensitive-Skin; 清爽|Lightweight; 滋润|Nourishing',
    ['creamVolume'], [59, 899], [0.05, 0.3],
    [spec('适用肤质|skin type', '干性|dry; 油性|oily; 混合性|combination; 所有肤质|all skin types')]),
  leaf('beauty', `${B}/护肤|Skincare/精华|Serums`,
    '精华液|Serum; 玻尿酸精华|Hyaluronic Acid Serum; 维C精华|Vitamin C Serum',
    '提亮|Brightening; 修护|Repairing; 抗氧化|Antioxidant; 保湿|Moisturizing',
    ['creamVolume'], [99, 1299], [0.05, 0.2],
    [spec('适用肤质|skin type', '所有肤质|all skin types; 干性|dry')]),
  leaf('beauty', `${B}/彩妆|Makeup/口红|Lipsticks`,
    '口红|Lipstick; 哑光口红|Matte Lipstick; 唇釉|Lip Gloss',
    '持久|Long-Lasting; 滋润|Moisturizing; 显白|Brightening; 不沾杯|Transfer-Proof',
    ['lipShade'], [49, 399], [0.02, 0.06],
    [spec('质地|finish', '哑光|matte; 丝绒|velvet; 水光|glossy')]),
  leaf('sports', `${S}/户外装备|Outdoor Gear/帐篷|Tents`,
    '露营帐篷|Camping Tent; 自动帐篷|Instant Tent; 天幕帐篷|Canopy Tent',
    '防雨|Rainproof; 速开|Quick-Setup; 超轻|Ultralight; 双层|Double-Layer',
    ['color', 'tentCapacity'], [199, 1999], [1.5, 6.0],
    [spec('防水指数|waterproof rating', '2000mm|2000 mm; 3000mm|3000 mm')]),
  leaf('sports', `${S}/户外装备|Outdoor Gear/背包|Backpacks`,
    '登山包|Hiking Backpack; 双肩包|Backpack; 户外背包|Outdoor Daypack',
    '轻量|Lightweight; 防泼水|Water-Resistant; 大容量|Large-Capacity; 背负系统|Ventilated-Back',
    ['color', 'packVolume'], [99, 999], [0.5, 1.8],
    [spec('材质|material', '尼龙|nylon; 牛津布|oxford cloth')]),
  leaf('sports', `${S}/健身器材|Fitness/瑜伽垫|Yoga Mats`,
    '瑜伽垫|Yoga Mat; 健身垫|Exercise Mat; 防滑瑜伽垫|Non-Slip Yoga Mat',
    '加厚|Extra-Thick; 防滑|Non-Slip; 环保|Eco-Friendly; 宽大|Extra-Wide',
    ['color', 'matThickness'], [39, 299], [0.6, 1.8],
    [spec('材质|material', 'TPE|TPE; NBR|NBR; 天然橡胶|natural rubber')]),
];

export const BRANDS: Record<GroupKey, Bilingual[]> = {
  electronics: bis('声悦|Sonora; 极光|Aurora; 星驰|StarDash; 云杉科技|Spruce Tech; 木禾|Mohe'),
  clothing: bis('素衣|Suyi; 简朴|Simplee; 风行|Windrun; 青柠|Lime & Co; 北纬|North Latitude'),
  home: bis('暖居|CozyNest; 悦家|JoyHome; 森屋|Forest House; 厨艺|ChefArt; 安眠|SleepWell'),
  toys: bis(
    '童趣|FunKid; 乐拼|BrickJoy; 小熊家|Little Bear; 奇幻岛|Wonder Isle; 糖果屋|Candy House',
  ),
  beauty: bis('花漾|Bloomy; 水润|AquaGlow; 素颜|Bare Face; 玉肌|Jade Skin; 朵拉|Dora Beauty'),
  sports: bis('山野|WildPeak; 行者|Trekker; 跃动|Leap; 极限|Xtreme; 野营家|Campster'),
};

export const USAGES: Record<GroupKey, Bilingual[]> = {
  electronics: bis(
    '适合通勤、运动和旅行使用|great for commuting, workouts and travel; 办公学习两不误|made for work and study; 连接稳定，操作简单|stable connection and easy to use',
  ),
  clothing: bis(
    '日常通勤、约会出游都合适|fits the office, dates and weekends; 面料舒适，版型利落|comfortable fabric with a clean cut; 四季百搭|easy to pair in every season',
  ),
  home: bis(
    '让家居生活更舒适|makes everyday home life more comfortable; 耐用易清洁|durable and easy to clean; 适合送礼|a thoughtful gift',
  ),
  toys: bis(
    '锻炼动手能力和想象力|builds hands-on skills and imagination; 亲子互动好选择|great for playing together as a family; 安全环保材质|made from safe, non-toxic materials',
  ),
  beauty: bis(
    '温和不刺激|gentle and non-irritating; 日常护理必备|an everyday essential; 质地轻薄易吸收|light texture that absorbs quickly',
  ),
  sports: bis(
    '适合露营、徒步和健身|ready for camping, hiking and training; 轻便易携带|light and easy to carry; 经久耐用|built to last',
  ),
};

export const TAGS = bis(
  '新品|new arrival; 热卖|bestseller; 包邮|free shipping; 限时折扣|limited-time deal; 爆款|trending; 礼物推荐|gift idea',
);

export const ORIGIN = spec('产地|origin', '中国|China; 越南|Vietnam; 日本|Japan');
