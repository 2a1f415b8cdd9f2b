package org.rwb.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/** `rwb_english_light`: the same chain with KStem, which conflates fewer forms than Porter. */
@NamedComponent("rwb_english_light")
public class LightEnglishAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new EnglishChain(EnglishChain.Stemmer.KSTEM);
    }
}
