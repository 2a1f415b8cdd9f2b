package org.rwb.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/**
 * `rwb_smartcn`: Lucene's SmartChineseAnalyzer (HMM word segmentation over its bundled
 * dictionary, punctuation dropped, Latin words lowercased and Porter-stemmed), the analyzer the
 * official analysis-smartcn plugin registers as `smartcn`.
 */
@NamedComponent("rwb_smartcn")
public class SmartChineseAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new SmartChineseAnalyzer();
    }
}
