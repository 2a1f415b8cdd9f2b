package org.rwb.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/**
 * `rwb_jieba`: jieba word segmentation (see JiebaTokenizer) with lowercasing, for Chinese text
 * that also carries Latin brand and model names.
 */
@NamedComponent("rwb_jieba")
public class JiebaAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                JiebaTokenizer source = new JiebaTokenizer();
                return new TokenStreamComponents(source, new LowerCaseFilter(source));
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                return new LowerCaseFilter(in);
            }
        };
    }
}
