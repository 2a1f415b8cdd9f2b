package org.rwb.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/** `rwb_english`: Lucene's English chain with the Porter stemmer (same tokens as ES `english`). */
@NamedComponent("rwb_english")
public class EnglishAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new EnglishChain(EnglishChain.Stemmer.PORTER);
    }
}
