package org.rwb.analysis;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

/** `rwb_smartcn_tokenizer`: the HMM word segmenter alone, for custom analyzers in index settings. */
@NamedComponent("rwb_smartcn_tokenizer")
public class SmartChineseTokenizerFactory implements TokenizerFactory {
    @Override
    public Tokenizer create() {
        return new HMMChineseTokenizer();
    }
}
