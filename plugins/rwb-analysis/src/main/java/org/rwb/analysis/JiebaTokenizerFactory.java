package org.rwb.analysis;

import org.apache.lucene.analysis.Tokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

/** `rwb_jieba_tokenizer`: jieba word segmentation alone, for custom analyzers in index settings. */
@NamedComponent("rwb_jieba_tokenizer")
public class JiebaTokenizerFactory implements TokenizerFactory {
    @Override
    public Tokenizer create() {
        return new JiebaTokenizer();
    }
}
